@echo off
REM =====
REM NHI Card Gateway: silent per-machine install or upgrade of the MSI (local copy), for AD / GPO startup
REM scripts or a remote shell run as administrator. Set next to NHI's control-software deploy batch file:
REM install NHI's control software (gCIE_Setup.msi) first, then this.
REM =====
REM Adjust to the clinic: where the MSI was copied, the port, the backend and the HIS origins.
REM   MSI            nhi-gateway-x86.msi for CSHIS.dll (control software 5.x, 32-bit); nhi-gateway-x64.msi for PC/SC
REM   PORT           leave empty: each user's gateway takes 8737 or its user's own port (terminal servers need
REM                  that, docs/terminal-server.md); a fixed port suits a PC with a single Windows user only
REM   BACKEND        auto ^| cshis ^| pcsc ^| simulator (default auto)
REM   ALLOWED_ORIGINS comma-separated HIS origins, e.g. https://his.clinic.example,http://10.0.0.5:8080
REM   CONFIG_FILE    optional JSON configuration file (docs/clinic-it.md), e.g. C:\ProgramData\nhi-gateway\config.json (not gateway.json: that name is each user's discovery file)
REM =====
set MSI=C:\TEMP\Deploy\nhi-gateway-x86.msi
set PORT=
set BACKEND=auto
set ALLOWED_ORIGINS=https://his.clinic.example
set CONFIG_FILE=
REM =====
REM Stop running gateways (every signed-in user's), so the upgrade can replace the executable. Each user's
REM copy starts again at that user's next logon (HKLM Run entry).
REM =====
C:
taskkill /F /IM nhi-gateway.exe /T >nul 2>&1
REM =====
REM /qn: no user interface. /l*v: a verbose log for clinic IT. An empty PORT or CONFIG_FILE is left off the command line.
REM =====
set EXTRA=
if not "%PORT%"=="" set EXTRA=%EXTRA% PORT=%PORT%
if not "%CONFIG_FILE%"=="" set EXTRA=%EXTRA% CONFIG_FILE="%CONFIG_FILE%"
start /wait msiexec /i "%MSI%" /qn /l*v "%TEMP%\nhi-gateway-install.log" BACKEND=%BACKEND% ALLOWED_ORIGINS="%ALLOWED_ORIGINS%"%EXTRA%
REM 0 installed, 3010 installed (restart needed); anything else: read %TEMP%\nhi-gateway-install.log
echo msiexec exit code %ERRORLEVEL%
REM =====
REM Uninstall (files and the logon entry; each user's token, logs and card-write journal stay):
REM   msiexec /x "%MSI%" /qn
REM =====
REM pause

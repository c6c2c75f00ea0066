/**
 * The Windows calls behind src/security/windows-peer.ts, through koffi (loaded on first use, on Windows only):
 * iphlpapi `GetExtendedTcpTable` (TCP_TABLE_OWNER_PID_ALL), kernel32 `OpenProcess` /
 * `CloseHandle`, advapi32 `OpenProcessToken` / `GetTokenInformation(TokenUser)`. Each call is a quick
 * kernel query (no I/O), made once per connection. Not run in CI (no Windows there): the byte layouts it
 * reads are unit-tested over fakes in test/unit/security/windows-peer.test.ts.
 */
import { createRequire } from 'node:module';
import { sidFromTokenUser, type WindowsPeerApi } from '../../security/windows-peer.ts';

type Koffi = typeof import('koffi');
type KoffiFunction = ReturnType<import('koffi').LibraryHandle['func']>;

const AF_INET = 2;
const AF_INET6 = 23;
const TCP_TABLE_OWNER_PID_ALL = 5;
const ERROR_INSUFFICIENT_BUFFER = 122;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const TOKEN_QUERY = 0x0008;
const TOKEN_USER_CLASS = 1;

interface Calls {
  readonly getExtendedTcpTable: KoffiFunction;
  readonly openProcess: KoffiFunction;
  readonly closeHandle: KoffiFunction;
  readonly getCurrentProcess: KoffiFunction;
  readonly openProcessToken: KoffiFunction;
  readonly getTokenInformation: KoffiFunction;
  readonly koffi: Koffi;
}

function bind(): Calls {
  const koffi = typeof require === 'function' ? (require('koffi') as Koffi) : (createRequire(import.meta.url)('koffi') as Koffi);
  const iphlpapi = koffi.load('iphlpapi.dll');
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  return {
    koffi,
    getExtendedTcpTable: iphlpapi.func('uint32 __stdcall GetExtendedTcpTable(void *table, _Inout_ uint32 *size, int order, uint32 af, int tableClass, uint32 reserved)'),
    openProcess: kernel32.func('void * __stdcall OpenProcess(uint32 access, int inherit, uint32 pid)'),
    closeHandle: kernel32.func('int __stdcall CloseHandle(void *handle)'),
    getCurrentProcess: kernel32.func('void * __stdcall GetCurrentProcess()'),
    openProcessToken: advapi32.func('int __stdcall OpenProcessToken(void *process, uint32 access, _Out_ void **token)'),
    getTokenInformation: advapi32.func('int __stdcall GetTokenInformation(void *token, int infoClass, void *info, uint32 length, _Out_ uint32 *returned)'),
  };
}

/** The native API; throws when koffi or a DLL cannot be loaded (the caller then treats the peer as unknown). */
export function createWindowsPeerApi(): WindowsPeerApi {
  const calls = bind();
  const pointerSize = calls.koffi.sizeof('void *') as 4 | 8;

  const userSidOf = (process: unknown): string | undefined => {
    const token: unknown[] = [null];
    if (!calls.openProcessToken(process, TOKEN_QUERY, token)) return undefined;
    try {
      const needed = [0];
      calls.getTokenInformation(token[0], TOKEN_USER_CLASS, null, 0, needed);
      if (!needed[0]) return undefined;
      const buffer = Buffer.alloc(needed[0]);
      if (!calls.getTokenInformation(token[0], TOKEN_USER_CLASS, buffer, buffer.length, needed)) return undefined;
      return sidFromTokenUser(buffer, calls.koffi.address(buffer), pointerSize);
    } finally {
      calls.closeHandle(token[0]);
    }
  };

  let ownSid: string | undefined;
  return {
    tcpTable(family) {
      const size = [0];
      const af = family === 4 ? AF_INET : AF_INET6;
      // The table can grow between the sizing call and the real one: try a few times.
      for (let attempt = 0; attempt < 4; attempt++) {
        const buffer = size[0] ? Buffer.alloc(size[0]) : null;
        const status = calls.getExtendedTcpTable(buffer, size, 0, af, TCP_TABLE_OWNER_PID_ALL, 0) as number;
        if (status === 0 && buffer) return buffer;
        if (status !== ERROR_INSUFFICIENT_BUFFER && !(status === 0 && !buffer)) return undefined;
      }
      return undefined;
    },
    processUserSid(pid) {
      const process = calls.openProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
      // A process this user may not even query belongs to someone else (or is protected): not this user's.
      if (!process) return 'denied';
      try {
        return userSidOf(process);
      } finally {
        calls.closeHandle(process);
      }
    },
    currentUserSid() {
      ownSid ??= userSidOf(calls.getCurrentProcess());
      return ownSid;
    },
  };
}

#!/usr/bin/python3
"""
A virtual NHI health card for the vsmartcard `vpcd` reader driver (docs/pcsc.md (The native layer and its ABI)), answering the basic-data
APDUs of docs/reference/pcsc.md. Inserting the card = starting this process; removing it = stopping it.

Run with Debian's /usr/bin/python3 (the pyenv python3 on PATH lacks the package):

  /usr/bin/python3 test/pcsc/nhi_card.py --port 35963 --patient '{"cardNumber": "000012345678", ...}'

Modes:
  (default)      SELECT AID -> 90 00; READ (00 CA 11 00 02 00 00) -> 57 bytes + 90 00 (a T=1 ATR)
  --t0           a T=0 ATR; READ answers 61 39 and the data comes with GET RESPONSE (00 C0 00 00 39), docs/reference/pcsc.md
  --unknown      a card that is not an NHI card: SELECT answers 6A 82 (file not found)
  --exit-on-read the process exits on READ without answering: a card pulled out in the middle of a read
  --frozen       a card that stops answering: the first APDU is never answered (nor anything after it)
  --next-patient JSON
                 on SIGUSR1 the card answers with this patient from then on (reports SWITCHED): another card in
                 the reader without the reader noticing (same ATR, no removal), as in a swap PC/SC missed
  --vanish-when-powered-again
                 the process exits when the reader powers the card up again after it has answered a command
                 (pcscd powers an idle card down): a card pulled out while the reader powers it up for a read

Every power-up, power-down, reset and APDU is reported on stdout as one line (POWER_UP, POWER_DOWN, RESET,
APDU <INS>, instruction byte only: no card data), so a test can count what reached the card.

The patient (JSON, every key optional): cardNumber (12), nameBig5Hex (up to 20 bytes, NUL-padded as on the
card, docs/reference/pcsc.md / docs/reference/abi.md (Dates, Big5)), idNumber (10), birthDate (7, ROC yyyMMdd), sex (M/F), issueDate (7, ROC).

It prints CONNECTED on stdout once vpcd accepted it (the test bed waits for that line); logs go to stderr.
"""
import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading

# docs/pcsc.md (The native layer and its ABI) gotchas: Debian installs the package outside sys.path, and its CryptoUtils imports PyCrypto's
# `Crypto` namespace, which Debian's python3-pycryptodome provides as `Cryptodome`.
sys.path.insert(0, '/usr/lib/python3/site-packages/virtualsmartcard')
import Cryptodome  # noqa: E402
import Cryptodome.Cipher  # noqa: E402
import Cryptodome.Hash  # noqa: E402
import Cryptodome.Random  # noqa: E402
import Cryptodome.Util  # noqa: E402

sys.modules.update({
    'Crypto': Cryptodome,
    'Crypto.Cipher': Cryptodome.Cipher,
    'Crypto.Hash': Cryptodome.Hash,
    'Crypto.Random': Cryptodome.Random,
    'Crypto.Util': Cryptodome.Util,
})

from virtualsmartcard.VirtualSmartcard import SmartcardOS, VirtualICC  # noqa: E402

# docs/reference/pcsc.md: SELECT by AID, then READ the basic-data file.
NHI_AID = bytes.fromhex('D15800000100000000000000000011' '00')
SELECT_HEADER = bytes.fromhex('00A40400')
READ_BASIC = bytes.fromhex('00CA11000200' '00')
GET_RESPONSE_HEADER = bytes.fromhex('00C00000')

SW_OK = bytes.fromhex('9000')
SW_FILE_NOT_FOUND = bytes.fromhex('6A82')
SW_INS_NOT_SUPPORTED = bytes.fromhex('6D00')
SW_CONDITIONS_NOT_SATISFIED = bytes.fromhex('6985')
SW_WRONG_LENGTH = bytes.fromhex('6700')

# The ATRs: a T=1 card (TD1 = 0x01, so case-4 answers pass without GET RESPONSE, docs/pcsc.md (The native layer and its ABI)) and a T=0 one
# (no TD1: T=0 is implied). Historical bytes spell TWNHI-FAKE-0001 / TWNHI-FAKE-T000 / OTHER-CARD-0001; a T=1
# ATR ends with its TCK (XOR of T0..last = 0), a T=0-only ATR has none.
ATR_T1 = bytes.fromhex('3B8F0154574E48492D46414B452D30303031CA')
ATR_T0 = bytes.fromhex('3B0F54574E48492D46414B452D54303030')
ATR_OTHER = bytes.fromhex('3B8F014F544845522D434152442D30303031DF')

DEFAULT_PATIENT = {
    'cardNumber': '000012345678',
    # 王 (A4FD), a rare character from Big5's first user-defined area (FA40 -> U+E000), 明 (A9FA).
    'nameBig5Hex': 'A4FDFA40A9FA',
    'idNumber': 'A123456789',
    'birthDate': '0690512',
    'sex': 'M',
    'issueDate': '1140101',
}


def ascii_field(value, width, name):
    data = value.encode('ascii')
    if len(data) > width:
        raise SystemExit(f'{name}: longer than {width} bytes')
    return data.ljust(width, b' ')


def basic_data(patient):
    """The 57-byte response of docs/reference/pcsc.md: card no 12, name 20 (Big5, NUL-padded), ID 10, birth 7, sex 1, issue 7."""
    name = bytes.fromhex(patient['nameBig5Hex'])
    if len(name) > 20:
        raise SystemExit('nameBig5Hex: longer than 20 bytes')
    data = (ascii_field(patient['cardNumber'], 12, 'cardNumber')
            + name.ljust(20, b'\x00')
            + ascii_field(patient['idNumber'], 10, 'idNumber')
            + ascii_field(patient['birthDate'], 7, 'birthDate')
            + ascii_field(patient['sex'], 1, 'sex')
            + ascii_field(patient['issueDate'], 7, 'issueDate'))
    assert len(data) == 57
    return data


def report(line):
    """One line on stdout for the test bed (what reached the card; never card data)."""
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


class NhiCardOS(SmartcardOS):
    def __init__(self, patient, t0=False, unknown=False, exit_on_read=False, frozen=False, vanish_when_powered_again=False):
        self.data = basic_data(patient)
        self.t0 = t0
        self.unknown = unknown
        self.exit_on_read = exit_on_read
        self.frozen = frozen
        self.vanish_when_powered_again = vanish_when_powered_again
        self.answered = False  # has answered a command since insertion
        self.selected = False
        self.pending = b''  # response waiting for GET RESPONSE (T=0)

    def getATR(self):
        if self.unknown:
            return ATR_OTHER
        return ATR_T0 if self.t0 else ATR_T1

    def powerUp(self):
        report('POWER_UP')
        if self.vanish_when_powered_again and self.answered:
            # Pulled out while the reader powers it: the connection drops before the card answers.
            os._exit(0)
        self.clear()

    def powerDown(self):
        report('POWER_DOWN')
        self.clear()

    def reset(self):
        report('RESET')
        self.clear()

    def clear(self):
        self.selected = False
        self.pending = b''

    def execute(self, msg):
        apdu = bytes(msg)
        report('APDU %02X' % apdu[1] if len(apdu) > 1 else 'APDU')
        if self.frozen:
            # A card that stopped answering: the reader waits for an answer that never comes.
            threading.Event().wait()
        self.answered = True
        logging.info('C-APDU %s', apdu.hex().upper())
        if apdu[:4] == SELECT_HEADER:
            if self.unknown or apdu[5:5 + 16] != NHI_AID:
                self.selected = False
                return SW_FILE_NOT_FOUND
            self.selected = True
            return SW_OK
        if apdu[:7] == READ_BASIC:
            if not self.selected:
                return SW_CONDITIONS_NOT_SATISFIED
            if self.exit_on_read:
                logging.info('exiting on READ (card pulled out mid-read)')
                os._exit(0)
            if self.t0:
                self.pending = self.data + SW_OK
                return bytes([0x61, len(self.data)])
            return self.data + SW_OK
        if apdu[:4] == GET_RESPONSE_HEADER:
            if not self.pending:
                return SW_CONDITIONS_NOT_SATISFIED
            le = apdu[4] if len(apdu) > 4 else 0
            body = self.pending[:-2]
            if le not in (0, len(body)):
                return bytes([0x6C, len(body)])
            answer, self.pending = self.pending, b''
            return answer
        return SW_INS_NOT_SUPPORTED


class QuickAckSocket:
    """
    vpcd (inside pcscd) writes each command as two send() calls, the 2-byte length then the APDU. With Nagle on its
    side and delayed ACKs on ours, every APDU would stall ~40 ms waiting for our ACK of the length: a test-bed
    artefact no real reader has, which would dominate the latency benchmark. Linux's TCP_QUICKACK (re-armed before
    every receive: the kernel clears it) ACKs at once.
    """

    def __init__(self, sock):
        self._sock = sock

    def recv(self, size):
        if hasattr(socket, 'TCP_QUICKACK'):
            try:
                self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            except OSError:
                pass
        return self._sock.recv(size)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='localhost')
    parser.add_argument('--port', type=int, default=35963, help='vpcd port (reader 0: 35963, reader 1: 35964)')
    parser.add_argument('--patient', default='{}', help='JSON object, see above')
    parser.add_argument('--t0', action='store_true')
    parser.add_argument('--unknown', action='store_true')
    parser.add_argument('--exit-on-read', action='store_true')
    parser.add_argument('--frozen', action='store_true')
    parser.add_argument('--next-patient', default=None)
    parser.add_argument('--vanish-when-powered-again', action='store_true')
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args()

    patient = dict(DEFAULT_PATIENT)
    patient.update(json.loads(args.patient))
    card_os = NhiCardOS(patient, t0=args.t0, unknown=args.unknown, exit_on_read=args.exit_on_read,
                        frozen=args.frozen, vanish_when_powered_again=args.vanish_when_powered_again)

    if args.next_patient is not None:
        next_patient = dict(DEFAULT_PATIENT)
        next_patient.update(json.loads(args.next_patient))
        next_data = basic_data(next_patient)

        def switch(_signum, _frame):
            card_os.data = next_data
            report('SWITCHED')

        signal.signal(signal.SIGUSR1, switch)

    level = logging.INFO if args.verbose else logging.WARNING
    vicc = VirtualICC(None, 'iso7816', args.host, args.port, logginglevel=level)
    # VirtualICC's logging.basicConfig goes to stderr; stdout carries only the protocol line below.
    vicc.os = card_os
    vicc.sock = QuickAckSocket(vicc.sock)
    report('CONNECTED')
    vicc.run()


if __name__ == '__main__':
    main()

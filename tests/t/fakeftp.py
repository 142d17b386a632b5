#!/usr/bin/env python3
# fakeftp.py - a small FTP server for mlp-push tests that misbehaves on
# purpose.  Standard library only.  It speaks just enough FTP for
# libcurl's uploads: USER/PASS, PWD, TYPE, EPSV/PASV, STOR/APPE, SIZE,
# RNFR/RNTO, MKD, CWD, DELE, FEAT, NOOP, QUIT; files go under --root.
#
#   fakeftp.py --root DIR --port-file FILE [--port N] [--mode MODE]
#              [--cut BYTES] [--lie-size BYTES] [--lifetime SECONDS]
#
# Modes:
#   normal    behave
#   cut       after --cut bytes of an upload, answer "452 ..." on the
#             control connection and reset the data connection
#   liesize   as cut, and answer every SIZE with --lie-size
#   late452   answer "452 ..." in the middle of an upload (taking all of
#             it) and "452 ..." again after it instead of 226
#   silent    stop answering anything after the EPSV (or PASV) reply
#   banner    greet with a 10 MB multi-line banner, then behave
#   sizeonly  behave, but answer every SIZE with --lie-size
#   nosize    behave, but answer SIZE with "502 ..." (not implemented)
#   busy1     answer the first STOR or APPE with "450 ..." (file left
#             alone), then behave
#   trunc226  keep only the first --cut bytes of each upload (reading
#             all of it), then answer 226 as if all was stored
#   cut1      cut the first upload as "cut" does, then behave
#   stale     cut the first upload as "cut" does; every APPE after it
#             first adds 4096 bytes of junk to the file (as a writer left
#             over from an earlier connection would), then the data
#
# The port it listens on (127.0.0.1) is written to --port-file once it
# accepts connections.  It exits by itself after --lifetime seconds.
# Commands it was sent are appended to DIR/../fakeftp.log.

import argparse
import os
import socket
import socketserver
import struct
import sys
import threading
import time

OPTS = None
LOG_LOCK = threading.Lock()
UPLOADS = [0]
UPLOADS_LOCK = threading.Lock()


def log(line):
    with LOG_LOCK:
        with open(OPTS.log, "a", encoding="utf-8", errors="replace") as f:
            f.write(line + "\n")


def local_path(arg):
    """The file under --root for a server path; None if it escapes."""
    parts = []
    for p in arg.replace("\\", "/").split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            return None
        parts.append(p)
    return os.path.join(OPTS.root, *parts)


class Session(socketserver.StreamRequestHandler):
    def reply(self, text):
        if self.silent:
            return
        self.wfile.write((text + "\r\n").encode("utf-8", "replace"))
        self.wfile.flush()

    def handle(self):
        self.silent = False
        self.pasv = None
        self.rnfr = None
        self.request.settimeout(OPTS.lifetime)
        if OPTS.mode == "banner":
            line = b"220-" + b"x" * 72 + b"\r\n"
            for _ in range(10 * 1024 * 1024 // len(line)):
                self.wfile.write(line)
        self.reply("220 fakeftp ready")
        while True:
            try:
                raw = self.rfile.readline(4096)
            except OSError:
                break
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            cmd, _, arg = line.partition(" ")
            cmd = cmd.upper()
            log(("PASS ****" if cmd == "PASS" else line))
            if self.silent:
                continue
            fn = getattr(self, "do_" + cmd, None)
            if fn is None:
                self.reply("502 %s not implemented" % cmd)
                continue
            try:
                if fn(arg) is False:
                    break
            except OSError as e:
                log("error: %s" % e)
                break
        self.close_pasv()

    def close_pasv(self):
        if self.pasv is not None:
            self.pasv.close()
            self.pasv = None

    def do_USER(self, arg):
        self.reply("331 password please")

    def do_PASS(self, arg):
        self.reply("230 logged in")

    def do_AUTH(self, arg):
        self.reply("500 no TLS here")

    def do_FEAT(self, arg):
        self.reply("211-Features:\r\n SIZE\r\n EPSV\r\n211 End")

    def do_SYST(self, arg):
        self.reply("215 UNIX Type: L8")

    def do_PWD(self, arg):
        self.reply('257 "/" is the current folder')

    def do_CWD(self, arg):
        p = local_path(arg)
        if p is not None and os.path.isdir(p):
            self.reply("250 ok")
        else:
            self.reply("550 no such folder")

    def do_MKD(self, arg):
        p = local_path(arg)
        try:
            os.mkdir(p)
            self.reply('257 "%s" created' % arg)
        except (OSError, TypeError):
            self.reply("550 cannot create")

    def do_TYPE(self, arg):
        self.reply("200 type set")

    def do_NOOP(self, arg):
        self.reply("200 ok")

    def do_OPTS(self, arg):
        self.reply("200 ok")

    def do_REST(self, arg):
        self.reply("350 ok")

    def do_MDTM(self, arg):
        self.reply("550 no")

    def do_QUIT(self, arg):
        self.reply("221 bye")
        return False

    def listen(self):
        self.close_pasv()
        self.pasv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.pasv.bind(("127.0.0.1", 0))
        self.pasv.listen(1)
        self.pasv.settimeout(30)
        return self.pasv.getsockname()[1]

    def do_EPSV(self, arg):
        port = self.listen()
        self.reply("229 Entering Extended Passive Mode (|||%d|)" % port)
        if OPTS.mode == "silent":
            self.silent = True

    def do_PASV(self, arg):
        port = self.listen()
        self.reply("227 Entering Passive Mode (127,0,0,1,%d,%d)" %
                   (port >> 8, port & 255))
        if OPTS.mode == "silent":
            self.silent = True

    def do_SIZE(self, arg):
        p = local_path(arg)
        if OPTS.mode == "nosize":
            self.reply("502 SIZE not implemented")
        elif OPTS.mode in ("liesize", "sizeonly"):
            self.reply("213 %d" % OPTS.lie_size)
        elif p is not None and os.path.isfile(p):
            self.reply("213 %d" % os.path.getsize(p))
        else:
            self.reply("550 no such file")

    def do_DELE(self, arg):
        p = local_path(arg)
        try:
            os.unlink(p)
            self.reply("250 deleted")
        except (OSError, TypeError):
            self.reply("550 cannot delete")

    def do_RNFR(self, arg):
        p = local_path(arg)
        if p is not None and os.path.exists(p):
            self.rnfr = p
            self.reply("350 ready for RNTO")
        else:
            self.reply("550 no such file")

    def do_RNTO(self, arg):
        p = local_path(arg)
        if self.rnfr is None or p is None:
            self.reply("503 RNFR first")
            return
        os.replace(self.rnfr, p)
        self.rnfr = None
        self.reply("250 renamed")

    def do_STOR(self, arg):
        self.upload(arg, "wb")

    def do_APPE(self, arg):
        self.upload(arg, "ab")

    def upload(self, arg, how):
        p = local_path(arg)
        if self.pasv is None:
            self.reply("425 use EPSV or PASV first")
            return
        if p is None or not os.path.isdir(os.path.dirname(p)):
            self.close_pasv()
            self.reply("553 no such folder")
            return
        try:
            data, _ = self.pasv.accept()
        except OSError:
            self.close_pasv()
            self.reply("425 no data connection")
            return
        self.close_pasv()
        with UPLOADS_LOCK:
            UPLOADS[0] += 1
            nth = UPLOADS[0]
        if OPTS.mode == "busy1" and nth == 1:
            data.close()
            self.reply("450 busy, try again later")
            return
        self.reply("150 go ahead")
        cutting = (OPTS.mode in ("cut", "liesize") or
                   (OPTS.mode in ("cut1", "stale") and nth == 1))
        if OPTS.mode == "stale" and how == "ab":
            with open(p, how) as f:
                f.write(b"j" * 4096)
        got = 0
        told = False
        with open(p, how) as f:
            while True:
                want = 65536
                if cutting:
                    want = min(want, OPTS.cut - got)
                    if want <= 0:
                        break
                buf = data.recv(want)
                if not buf:
                    break
                if OPTS.mode == "trunc226":
                    buf = buf[:max(0, OPTS.cut - got)]
                f.write(buf)
                got += len(buf)
                if (OPTS.mode == "late452" and not told and
                        got >= OPTS.cut):
                    self.reply("452 Disk quota exceeded (during)")
                    told = True
        log("received %d bytes into %s" % (got, arg))
        if cutting:
            self.reply("452 Insufficient storage space: cut after %d "
                       "bytes" % got)
            # A reset, as a server that gives up on the data does.
            data.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            data.close()
            return
        data.close()
        if OPTS.mode == "late452":
            self.reply("452 Disk quota exceeded (after)")
            return
        self.reply("226 transfer complete")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global OPTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", default="normal",
                    choices=["normal", "cut", "liesize", "late452",
                             "silent", "banner", "sizeonly", "busy1",
                             "cut1", "stale", "trunc226", "nosize"])
    ap.add_argument("--cut", type=int, default=100000)
    ap.add_argument("--lie-size", type=int, default=2000000)
    ap.add_argument("--lifetime", type=float, default=300)
    OPTS = ap.parse_args()
    OPTS.root = os.path.abspath(OPTS.root)
    OPTS.log = os.path.join(os.path.dirname(OPTS.root), "fakeftp.log")
    os.makedirs(OPTS.root, exist_ok=True)
    srv = Server(("127.0.0.1", OPTS.port), Session)
    tmp = OPTS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, OPTS.port_file)
    # The time bound: whatever happens, go away.
    t = threading.Timer(OPTS.lifetime, lambda: os._exit(0))
    t.daemon = True
    t.start()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

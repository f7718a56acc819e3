#!/usr/bin/env python3
"""An HTTP CONNECT proxy for the tests (standard library, 127.0.0.1):
    proxy.py --port-file F --log LOG [--auth USER:PASSWORD]
It tunnels to any host and logs each CONNECT target, one per line."""
import argparse
import base64
import os
import select
import socket
import socketserver
import threading


class Tunnel(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n")
        method, target, _ = lines[0].decode().split(" ", 2)
        opts = self.server.opts
        if opts.auth:
            want = "Basic " + base64.b64encode(opts.auth.encode()).decode()
            got = [l.split(b":", 1)[1].strip().decode() for l in lines[1:]
                   if l.lower().startswith(b"proxy-authorization:")]
            if got != [want]:
                self.request.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                                     b"Proxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n")
                return
        with self.server.lock, open(opts.log, "a") as f:
            f.write("%s %s\n" % (method, target))
        if method != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = target.rsplit(":", 1)
        up = socket.create_connection((host, int(port)), timeout=10)
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        socks = [self.request, up]
        while True:
            r, _, _ = select.select(socks, [], [], 30)
            if not r:
                break
            for s in r:
                data = s.recv(65536)
                if not data:
                    up.close()
                    return
                (up if s is self.request else self.request).sendall(data)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--auth")
    opts = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Tunnel)
    srv.opts, srv.lock = opts, threading.Lock()
    with open(opts.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(opts.port_file + ".tmp", opts.port_file)
    srv.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()

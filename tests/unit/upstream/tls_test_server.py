#!/usr/bin/python3
"""A misbehaving HTTPS upstream for the CurlHttpClient tests (tests only).

Serves HTTP/1.1 over TLS on 127.0.0.1 and an ephemeral port, which it prints on stdout, and
requires a client certificate that chains to --client-ca. One thread per connection, so slow
answers overlap. It exits when its stdin closes (the test process ended), on SIGTERM, or after
--lifetime seconds, whichever comes first.

Every request counts one hit for its path (query excluded), except the /hits and /connections
endpoints that report:
  /ok                     200 text/xml "<ok/>"
  /echo                   200: "<method> <X-Test header> <body>", Content-Type echoed
  /status/<code>/<key>    answers <code>
  /flaky/<key>?fail=N     503 for the first N hits of this path, then 200 "recovered"
  /sleep/<key>?ms=N       waits N ms, then 200 "slept"
  /overlap                the most /sleep requests that were waiting at the same time (text)
  /big/<key>?bytes=N      N bytes; &chunked=1 sends them chunked, without Content-Length
  /hits/<path>            how many hits /<path> has had (text)
  /connections            how many TLS connections were accepted (text)
"""

import argparse
import http.server
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

hits = {}
connections = 0
sleeping = 0  # /sleep requests waiting right now
most_sleeping = 0  # the most there ever were at once
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client is expected to reuse connections

    def log_message(self, format, *args):  # quiet: the test output is the client's
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def reply(self, status, body, content_type="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        global sleeping, most_sleeping
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = url.path.strip("/").split("/")

        if parts[0] == "hits":
            with lock:
                count = hits.get("/" + "/".join(parts[1:]), 0)
            return self.reply(200, str(count))
        if parts[0] == "connections":
            with lock:
                count = connections
            return self.reply(200, str(count))
        if parts[0] == "overlap":
            with lock:
                count = most_sleeping
            return self.reply(200, str(count))

        with lock:
            hits[url.path] = hits.get(url.path, 0) + 1
            count = hits[url.path]

        if parts[0] == "ok":
            return self.reply(200, "<ok/>", "text/xml; charset=utf-8")
        if parts[0] == "echo":
            text = "%s %s %s" % (self.command, self.headers.get("X-Test", ""), body.decode())
            return self.reply(200, text, self.headers.get("Content-Type", "text/plain"))
        if parts[0] == "status":
            return self.reply(int(parts[1]), "status %s" % parts[1])
        if parts[0] == "flaky":
            failures = int(query.get("fail", ["1"])[0])
            if count <= failures:
                return self.reply(503, "try again")
            return self.reply(200, "recovered")
        if parts[0] == "sleep":
            with lock:
                sleeping += 1
                most_sleeping = max(most_sleeping, sleeping)
            try:
                time.sleep(int(query.get("ms", ["100"])[0]) / 1000.0)
            finally:
                with lock:
                    sleeping -= 1
            return self.reply(200, "slept")
        if parts[0] == "big":
            size = int(query.get("bytes", ["1"])[0])
            if query.get("chunked", ["0"])[0] == "1":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"x" * 4096
                left = size
                while left > 0:
                    piece = chunk[: min(left, len(chunk))]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    left -= len(piece)
                self.wfile.write(b"0\r\n\r\n")
                return
            return self.reply(200, b"x" * size, "application/octet-stream")
        return self.reply(404, "no such endpoint")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the concurrency test opens hundreds of connections at once
    allow_reuse_address = True

    def __init__(self, context):
        self.context = context
        super().__init__(("127.0.0.1", 0), Handler)

    # The TLS handshake runs on the connection's own thread, not in the accept loop, so one slow
    # or refused handshake does not hold up the others.
    def finish_request(self, request, client_address):
        global connections
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # e.g. no or untrusted client certificate: the client sees the alert
        with lock:
            connections += 1
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            tls.close()

    def handle_error(self, request, client_address):
        pass  # clients that time out and hang up are part of the tests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True, help="server certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="server private key (PEM)")
    parser.add_argument("--client-ca", required=True, help="anchors for client certs (PEM)")
    parser.add_argument("--lifetime", type=float, default=600, help="seconds before exiting")
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    context.load_verify_locations(args.client_ca)
    context.verify_mode = ssl.CERT_REQUIRED

    server = Server(context)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)

    def exit_on_stdin_eof():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=exit_on_stdin_eof, daemon=True).start()
    time.sleep(args.lifetime)
    os._exit(0)


if __name__ == "__main__":
    main()

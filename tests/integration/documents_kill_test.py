#!/usr/bin/python3
"""No accepted document is lost, none is delivered twice (issue 6 item 6), end to end: the real
gateway, its outbox and inbox on a real redis-server (AOF, fsync always), and the document axis
SIMULATOR. 1,000 documents are sent from the ministry (G22) to the province (H20) by 8 senders
while
  - the gateway is SIGKILLed and restarted twice,
  - the axis answers 503 for 10 s,
  - the outbox's redis-server is SIGKILLed and restarted from its AOF.
A sender whose call failed in any way sends the same bytes again (that is the contract: sending
again is safe). At the end, by the axis simulator's own count per DocumentId (its test oracle,
/sim/stats), every document the gateway accepted reached the axis exactly once; none is dead;
each one's delivery state says delivered; the province's inbox holds each exactly once and the
axis has nothing pending for it (acknowledged only after stored).

usage: documents_kill_test.py BUILD_DIR PKI_DIR"""

import json
import os
import signal
import sys
import tempfile
import threading
import time
import unittest

BUILD, PKI = (os.path.abspath(a) for a in sys.argv[1:3])
del sys.argv[1:3]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "ops"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack import Stack  # noqa: E402
from documents_support import DocumentClient, axis_api, document_id, envelope  # noqa: E402

DOCUMENTS = 1000
SENDERS = 8
ATTACHMENT = os.urandom(2048)


class Chaos:
    """The faults, each once, when enough documents were accepted: progress-driven, not timed,
    so that a slow machine sees the same sequence."""

    def __init__(self, stack, log):
        self.stack = stack
        self.log = log
        self.steps = [(150, "kill the gateway", self.kill_gateway),
                      (350, "axis down for 10 s", self.axis_down),
                      (550, "kill the gateway again", self.kill_gateway),
                      (750, "kill the outbox's redis-server", self.kill_redis)]
        self.done = []

    def kill_gateway(self):
        self.stack.stop_gateway(signal.SIGKILL)
        time.sleep(0.5)
        self.stack.start_gateway()

    def axis_down(self):
        self.stack.sim_request("POST", "/sim/down?seconds=10", system="axis")

    def kill_redis(self):
        self.stack.stop_documents_redis(signal.SIGKILL)
        time.sleep(0.5)
        self.stack.start_documents_redis()

    def run(self, accepted_count, stop):
        while not stop.is_set() and self.steps:
            at, what, step = self.steps[0]
            if accepted_count() >= at:
                self.log(f"chaos at {accepted_count()} accepted: {what}")
                step()
                self.done.append(what)
                self.steps.pop(0)
            time.sleep(0.05)


class DocumentsKillTest(unittest.TestCase):
    def test_every_accepted_document_is_delivered_exactly_once(self):
        work = tempfile.mkdtemp(prefix="lt-docs-kill-")
        stack = Stack(BUILD, PKI, work, systems=("population", "axis"), log_level="info")
        stack.documents_lease_ms = 3000
        with stack:
            accepted = {}  # DocumentId -> the 202 answer
            lock = threading.Lock()
            failures = {"transport": 0, "status": {}}
            started = time.time()

            def log(text):
                print(f"[{time.time() - started:6.1f} s] {text}", flush=True)

            def sender(numbers):
                client = DocumentClient(stack, "member-g22", timeout=20)
                for n in numbers:
                    body = envelope(n, ATTACHMENT)
                    while True:
                        status, _, raw = client.send(body)
                        if status == 202:
                            answer = json.loads(raw)
                            with lock:
                                accepted[answer["documentId"]] = answer
                            break
                        with lock:
                            if status == 0:
                                failures["transport"] += 1
                            else:
                                failures["status"][status] = failures["status"].get(status, 0) + 1
                        # 503 (Redis unreachable), a reset (the gateway died): the same bytes again.
                        self.assertIn(status, (0, 502, 503, 504), raw[:300])
                        time.sleep(0.1)
                client.close()

            chaos = Chaos(stack, log)
            stop = threading.Event()
            chaos_thread = threading.Thread(target=chaos.run,
                                            args=(lambda: len(accepted), stop), daemon=True)
            chaos_thread.start()
            threads = [threading.Thread(target=sender, args=(range(1 + i, DOCUMENTS + 1, SENDERS),))
                       for i in range(SENDERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(600)
            stop.set()
            chaos_thread.join(60)
            log(f"sent: {len(accepted)} accepted; retried after {failures}")
            self.assertEqual(len(accepted), DOCUMENTS)
            self.assertEqual(len(chaos.done), 4, f"faults injected: {chaos.done}")
            self.assertGreater(failures["transport"] + sum(failures["status"].values()), 0,
                               "no sender ever saw a fault: the chaos did not bite")
            expected = {document_id(n) for n in range(1, DOCUMENTS + 1)}
            self.assertEqual(set(accepted), expected)

            # Delivery: every accepted document at the axis, each accepted there exactly once.
            deadline = time.time() + 300
            while True:
                deliveries = stack.sim_request("GET", "/sim/stats", system="axis")["deliveries"]
                if set(deliveries) >= expected or time.time() > deadline:
                    break
                time.sleep(0.5)
            log(f"delivered: {len(deliveries)} DocumentIds at the axis")
            self.assertEqual(set(deliveries), expected, "lost or foreign documents at the axis")
            twice = {d: c for d, c in deliveries.items() if c["accepted"] != 1}
            self.assertEqual(twice, {}, "documents stored more than once by the axis")
            resent = sum(c["duplicates"] for c in deliveries.values())
            log(f"exactly once: {DOCUMENTS} stored once each; {resent} resends answered duplicate")

            # The outbox agrees: nothing dead, each document delivered with its axis id.
            status, _, raw = stack.admin("GET", "/admin/v1/documents/outbox?state=dead")
            self.assertEqual(status, 200, raw[:300])
            self.assertEqual(json.loads(raw)["documents"], [])
            client = DocumentClient(stack, "member-g22")
            deadline = time.time() + 60
            pending = set(expected)
            while pending and time.time() < deadline:
                for doc in sorted(pending):
                    status, _, raw = client.sent(doc)
                    self.assertEqual(status, 200, raw[:300])
                    state = json.loads(raw)
                    if state["state"] == "delivered":
                        self.assertTrue(state["axisId"].startswith("ax-"), state)
                        pending.discard(doc)
                if pending:
                    time.sleep(0.5)
            self.assertEqual(pending, set(), "documents at the axis but not marked delivered")

            # The province's inbox: each document once, and nothing left pending at the axis.
            province = DocumentClient(stack, "member-h20")
            deadline = time.time() + 120
            while True:
                received = province.all_received()
                if len(received) >= DOCUMENTS or time.time() > deadline:
                    break
                time.sleep(0.5)
            ids = [r["documentId"] for r in received]
            self.assertEqual(len(ids), len(set(ids)), "a document twice in the inbox")
            self.assertEqual(set(ids), expected)
            deadline = time.time() + 30
            while True:
                waiting = axis_api(stack, "GET",
                                   "/documents/pending?organ=000.00.00.H20")["documents"]
                if not waiting or time.time() > deadline:
                    break
                time.sleep(0.5)
            self.assertEqual(waiting, [], "documents stored but never acknowledged")
            log(f"received: {len(ids)} in the province's inbox, none pending at the axis")

            # Statuses: the province takes one in (03); the ministry reads it back.
            doc = document_id(DOCUMENTS // 2)
            status, _, raw = province.status(doc, "03", "Đã tiếp nhận")
            self.assertEqual(status, 201, raw[:300])
            status, _, raw = client.history(doc)
            self.assertEqual(status, 200, raw[:300])
            codes = [(s["from"], s["statusCode"]) for s in json.loads(raw)["statuses"]]
            self.assertIn(("000.00.00.H20", "03"), codes)
            client.close()
            province.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)

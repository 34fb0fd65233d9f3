#!/usr/bin/python3
"""AMQP 1.0 probe for deploy/local/infra.sh, using Debian's python3-qpid-proton.

Run with /usr/bin/python3 (the pyenv python3 on PATH does not see Debian's python3-* packages).

  amqp_probe.py ping URL              open a connection (SASL as in URL), then close it
  amqp_probe.py roundtrip URL ADDRESS send one message to ADDRESS, receive it back, compare

Exit code 0 on success, 1 on failure (reason on stderr).
"""
import sys
import uuid

from proton import Message
from proton.handlers import MessagingHandler
from proton.reactor import Container

TIMEOUT_S = 10.0


class Ping(MessagingHandler):
    def __init__(self, url):
        super().__init__()
        self.url = url
        self.ok = False
        self.error = None

    def on_start(self, event):
        event.container.schedule(TIMEOUT_S, self)
        self.conn = event.container.connect(self.url, allowed_mechs="PLAIN ANONYMOUS", reconnect=False)

    def on_connection_opened(self, event):
        self.ok = True
        event.connection.close()

    def on_timer_task(self, event):
        if not self.ok:
            self.error = "timed out"
            event.container.stop()

    def on_transport_error(self, event):
        cond = event.transport.condition
        self.error = "transport error: %s" % (cond.description if cond else "unknown")
        event.container.stop()

    def on_connection_error(self, event):
        cond = event.connection.remote_condition
        self.ok = False
        self.error = "connection error: %s" % (cond.description if cond else "unknown")
        event.container.stop()

    def on_session_error(self, event):
        cond = event.session.remote_condition
        self.ok = False
        self.error = "session error: %s" % (cond.description if cond else "unknown")
        event.container.stop()

    def on_connection_closed(self, event):
        event.container.stop()


class RoundTrip(MessagingHandler):
    def __init__(self, url, address):
        super().__init__(auto_accept=False)
        self.url = url
        self.address = address
        self.body = "tessera-smoke-%s" % uuid.uuid4()
        self.sent = False
        self.ok = False
        self.error = None

    def on_start(self, event):
        event.container.schedule(TIMEOUT_S, self)
        conn = event.container.connect(self.url, allowed_mechs="PLAIN ANONYMOUS", reconnect=False)
        # receiver first, so the message has a consumer whatever the routing type
        self.receiver = event.container.create_receiver(conn, self.address)
        self.sender = event.container.create_sender(conn, self.address)

    def on_sendable(self, event):
        if not self.sent:
            msg = Message(body=self.body, durable=True,
                          properties={"tessera-smoke": True},
                          subject="smoke", content_type="text/plain")
            event.sender.send(msg)
            self.sent = True

    def on_message(self, event):
        if event.message.body == self.body:
            self.accept(event.delivery)
            self.ok = True
            event.connection.close()
        else:
            self.accept(event.delivery)  # left over from an earlier run: drop it

    def on_rejected(self, event):
        self.error = "message rejected: %s" % event.delivery.remote.condition
        event.connection.close()

    def on_timer_task(self, event):
        if not self.ok:
            self.error = self.error or "timed out waiting for the message"
            event.container.stop()

    def on_transport_error(self, event):
        cond = event.transport.condition
        self.error = "transport error: %s" % (cond.description if cond else "unknown")
        event.container.stop()

    def on_link_error(self, event):
        cond = event.link.remote_condition
        self.error = "link error: %s" % (cond.description if cond else "unknown")
        event.connection.close()

    def on_connection_error(self, event):
        cond = event.connection.remote_condition
        self.ok = False
        self.error = "connection error: %s" % (cond.description if cond else "unknown")
        event.container.stop()

    def on_session_error(self, event):
        cond = event.session.remote_condition
        self.ok = False
        self.error = "session error: %s" % (cond.description if cond else "unknown")
        event.container.stop()

    def on_connection_closed(self, event):
        event.container.stop()


def main(argv):
    if len(argv) == 3 and argv[1] == "ping":
        handler = Ping(argv[2])
    elif len(argv) == 4 and argv[1] == "roundtrip":
        handler = RoundTrip(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    Container(handler).run()
    if handler.ok:
        return 0
    sys.stderr.write("amqp probe failed: %s\n" % (handler.error or "no connection"))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

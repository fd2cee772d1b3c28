#!/usr/bin/env python
"""Publisher confirms: the flow of RabbitMQ's tutorial 7 (PublisherConfirms.java) in pika.

The tutorial has no Python version; this one follows the Java program's first three
strategies and prints the same lines:

    Published 50,000 messages individually in 5,549 ms
    Published 50,000 messages in batch in 2,331 ms
    Published 50,000 messages and handled confirms asynchronously in 4,054 ms

1. individually: BlockingConnection + confirm_delivery(); each basic_publish waits for its
   confirm (Java: basicPublish + waitForConfirmsOrDie(5_000)).
2. in batch: publish 100 messages, then wait until all of them are confirmed (5 s at most).
   pika's BlockingChannel always waits per message, so strategies 2 and 3 use a
   SelectConnection and confirm_delivery(ack_nack_callback=...).
3. asynchronously: publish everything, track outstanding confirms by sequence number
   (an ack with multiple=True settles every number up to its delivery tag), wait at most
   60 s for all of them.

Like the Java program, each strategy opens its own connection and publishes to a fresh
non-durable auto-delete queue named by a UUID. Unlike it, the queue is deleted at the end
(an auto-delete queue that never had a consumer would stay behind), and the program checks
that the deleted queue held every message and that nothing was nack-ed: otherwise it
writes why on stderr and exits 1.

Usage: python publisher_confirms.py [MESSAGE_COUNT]   (default 50,000, as in Java)
"""
import collections
import os
import sys
import time
import uuid

import pika

MESSAGE_COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
BATCH_SIZE = 100


def connection_parameters():
    return pika.ConnectionParameters(host=os.environ.get('AMQP_HOST', 'localhost'),
                                     port=int(os.environ.get('AMQP_PORT', '5672')))


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


def check_deleted(strategy, message_count):
    if message_count != MESSAGE_COUNT:
        fail(f"{strategy}: the queue held {message_count} messages, expected {MESSAGE_COUNT}")


def publish_messages_individually():
    connection = pika.BlockingConnection(connection_parameters())
    channel = connection.channel()

    queue = str(uuid.uuid4())
    channel.queue_declare(queue=queue, durable=False, exclusive=False, auto_delete=True)

    channel.confirm_delivery()
    start = time.monotonic_ns()
    for i in range(MESSAGE_COUNT):
        body = str(i)
        # In confirm mode this returns once the broker has confirmed the message and
        # raises pika.exceptions.NackError if it nack-ed it.
        channel.basic_publish(exchange='', routing_key=queue, body=body)
    end = time.monotonic_ns()
    print(f"Published {MESSAGE_COUNT:,} messages individually in {(end - start) // 1_000_000:,} ms")

    deleted = channel.queue_delete(queue=queue)
    check_deleted("individually", deleted.method.message_count)
    connection.close()


class AsyncPublisher:
    """Publishes MESSAGE_COUNT messages on a SelectConnection in confirm mode.

    With batch_size set, publishes that many, waits until all are confirmed, then the next
    batch; without, publishes everything at once and waits for the confirms to catch up.
    """

    def __init__(self, strategy, batch_size, timeout):
        self.strategy = strategy
        self.batch_size = batch_size
        self.timeout = timeout
        self.queue = str(uuid.uuid4())
        self.outstanding = {}  # sequence number -> body
        self.order = collections.deque()  # the outstanding sequence numbers, oldest first
        self.next_sequence = 1
        self.published = 0
        self.nacked = 0
        self.timer = None
        self.error = None
        self.start = self.end = None
        self.channel = None
        self.connection = pika.SelectConnection(
            connection_parameters(),
            on_open_callback=self.on_connection_open,
            on_open_error_callback=self.on_connection_error,
            on_close_callback=self.on_connection_closed)

    def run(self):
        self.connection.ioloop.start()
        if self.error:
            fail(f"{self.strategy}: {self.error}")
        return (self.end - self.start) // 1_000_000

    def stop(self, error=None):
        if error and not self.error:
            self.error = error
        if self.connection.is_open:
            self.connection.close()
        elif self.connection.is_closed:
            self.connection.ioloop.stop()

    def on_connection_open(self, connection):
        connection.channel(on_open_callback=self.on_channel_open)

    def on_connection_error(self, connection, error):
        self.error = f"cannot connect: {error!r}"
        connection.ioloop.stop()

    def on_connection_closed(self, connection, reason):
        if self.end is None and not self.error:
            self.error = f"connection closed: {reason!r}"
        connection.ioloop.stop()

    def on_channel_open(self, channel):
        self.channel = channel
        channel.add_on_close_callback(self.on_channel_closed)
        channel.queue_declare(queue=self.queue, durable=False, exclusive=False,
                              auto_delete=True, callback=self.on_queue_declared)

    def on_channel_closed(self, channel, reason):
        if self.end is None or not self.connection.is_closing:
            self.stop(f"channel closed: {reason!r}")

    def on_queue_declared(self, frame):
        self.channel.confirm_delivery(ack_nack_callback=self.on_confirm,
                                      callback=self.on_confirm_select_ok)

    def on_confirm_select_ok(self, frame):
        self.start = time.monotonic_ns()
        self.publish_next()

    def publish_next(self):
        count = MESSAGE_COUNT - self.published
        if self.batch_size:
            count = min(count, self.batch_size)
        for _ in range(count):
            body = str(self.published)
            self.outstanding[self.next_sequence] = body
            self.order.append(self.next_sequence)
            self.next_sequence += 1
            self.channel.basic_publish(exchange='', routing_key=self.queue, body=body)
            self.published += 1
        self.timer = self.connection.ioloop.call_later(self.timeout, self.on_timeout)

    def on_timeout(self):
        self.timer = None
        if self.batch_size:
            self.stop(f"{len(self.outstanding)} messages of a batch were not confirmed "
                      f"in {self.timeout} seconds")
        else:
            self.stop(f"All messages could not be confirmed in {self.timeout} seconds")

    def on_confirm(self, frame):
        method = frame.method
        tag = method.delivery_tag
        if isinstance(method, pika.spec.Basic.Nack):
            self.nacked += 1
            sys.stderr.write(f"Message with body {self.outstanding.get(tag)} has been nack-ed. "
                             f"Sequence number: {tag}, multiple: {method.multiple}\n")
        if method.multiple:
            while self.order and self.order[0] <= tag:
                self.outstanding.pop(self.order.popleft(), None)
        elif self.outstanding.pop(tag, None) is None:
            self.stop(f"confirm for unknown sequence number {tag}")
            return
        if self.outstanding:
            return
        self.order.clear()
        if self.timer is not None:
            self.connection.ioloop.remove_timeout(self.timer)
            self.timer = None
        if self.published < MESSAGE_COUNT:
            self.publish_next()
        else:
            self.end = time.monotonic_ns()
            self.channel.queue_delete(queue=self.queue, callback=self.on_queue_deleted)

    def on_queue_deleted(self, frame):
        if self.nacked:
            self.stop(f"{self.nacked} confirms were nacks")
        elif frame.method.message_count != MESSAGE_COUNT:
            self.stop(f"the queue held {frame.method.message_count} messages, "
                      f"expected {MESSAGE_COUNT}")
        else:
            self.stop()


def publish_messages_in_batch():
    ms = AsyncPublisher("in batch", batch_size=BATCH_SIZE, timeout=5).run()
    print(f"Published {MESSAGE_COUNT:,} messages in batch in {ms:,} ms")


def handle_publish_confirms_asynchronously():
    ms = AsyncPublisher("asynchronously", batch_size=None, timeout=60).run()
    print(f"Published {MESSAGE_COUNT:,} messages and handled confirms asynchronously in {ms:,} ms")


if __name__ == '__main__':
    publish_messages_individually()
    publish_messages_in_batch()
    handle_publish_confirms_asynchronously()

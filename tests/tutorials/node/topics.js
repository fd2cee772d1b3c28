#!/usr/bin/env node
// Topics (RabbitMQ tutorial 5) with amqplib, published through a ConfirmChannel (publisher
// confirms, tutorial 7).
//
// A topic exchange and two exclusive server-named queues bound as in the tutorial's figure:
// Q1 to "*.orange.*", Q2 to "*.*.rabbit" and "lazy.#". Every routing key of the tutorial's text
// is published once, mandatory, with the key as its body. Checks: each queue gets exactly the
// keys the tutorial says, in publishing order, a message matching two bindings of Q2 once; the
// keys that match nothing come back as basic.return (312 NO_ROUTE); every publish is confirmed
// (acked, not nacked). Prints a stable summary and exits 0 only if all of that held; otherwise
// says what did not on stderr and exits 1.
//
// Environment: AMQP_HOST (default localhost), AMQP_PORT (default 5672).
'use strict';

const amqp = require('amqplib');

const HOST = process.env.AMQP_HOST || 'localhost';
const PORT = process.env.AMQP_PORT || '5672';
const URL = `amqp://${HOST}:${PORT}`;
const EXCHANGE = 'node_topic_logs';
const OVERALL_TIMEOUT_MS = 30000;

const KEYS = [
  'quick.orange.rabbit',
  'lazy.orange.elephant',
  'quick.orange.fox',
  'lazy.brown.fox',
  'lazy.pink.rabbit',
  'quick.brown.fox',
  'orange',
  'quick.orange.new.rabbit',
  'lazy.orange.new.rabbit',
];
const CONSUMERS = [
  {
    name: 'Q1',
    bindings: ['*.orange.*'],
    expected: ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox'],
  },
  {
    name: 'Q2',
    bindings: ['*.*.rabbit', 'lazy.#'],
    expected: ['quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.brown.fox', 'lazy.pink.rabbit', 'lazy.orange.new.rabbit'],
  },
];
const UNROUTABLE = ['quick.brown.fox', 'orange', 'quick.orange.new.rabbit'];

const problems = [];
const returned = [];
let acked = 0;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function main() {
  const consumerConnection = await amqp.connect(URL);
  const channel = await consumerConnection.createChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
  for (const consumer of CONSUMERS) {
    const q = await channel.assertQueue('', { exclusive: true });
    consumer.queue = q.queue;
    if (!q.queue.startsWith('amq.gen-')) {
      problems.push(`${consumer.name}: the server named its queue ${JSON.stringify(q.queue)}, not amq.gen-…`);
    }
    for (const key of consumer.bindings) {
      await channel.bindQueue(q.queue, EXCHANGE, key);
    }
    consumer.got = [];
    await channel.consume(
      q.queue,
      (msg) => {
        if (msg === null) {
          problems.push(`${consumer.name}: its consumer was cancelled by the server`);
          return;
        }
        const key = msg.fields.routingKey;
        if (msg.content.toString() !== key) {
          problems.push(`${consumer.name}: body ${JSON.stringify(msg.content.toString())} under key ${key}`);
        }
        if (msg.fields.exchange !== EXCHANGE) {
          problems.push(`${consumer.name}: delivered from exchange ${JSON.stringify(msg.fields.exchange)}`);
        }
        consumer.got.push(key);
      },
      { noAck: true },
    );
  }

  const publisherConnection = await amqp.connect(URL);
  const confirmChannel = await publisherConnection.createConfirmChannel();
  confirmChannel.on('return', (msg) => {
    if (msg.fields.replyCode !== 312 || msg.fields.replyText !== 'NO_ROUTE') {
      problems.push(`return of ${msg.fields.routingKey}: ${msg.fields.replyCode} ${msg.fields.replyText}, not 312 NO_ROUTE`);
    }
    returned.push(msg.fields.routingKey);
  });
  const confirms = KEYS.map(
    (key) =>
      new Promise((resolve) => {
        confirmChannel.publish(EXCHANGE, key, Buffer.from(key), { mandatory: true }, (err) => {
          if (err) {
            problems.push(`${key} was nacked`);
          } else {
            acked += 1;
          }
          resolve();
        });
      }),
  );
  await Promise.all(confirms);
  await confirmChannel.waitForConfirms();

  const expectedTotal = CONSUMERS.reduce((n, c) => n + c.expected.length, 0);
  const deadline = Date.now() + 10000;
  while (CONSUMERS.reduce((n, c) => n + c.got.length, 0) < expectedTotal && Date.now() < deadline) {
    await sleep(20);
  }
  // Catch any extra delivery.
  await sleep(300);

  for (const consumer of CONSUMERS) {
    if (!same(consumer.got, consumer.expected)) {
      problems.push(`${consumer.name} (${consumer.bindings.join(', ')}) got [${consumer.got.join(', ')}], expected [${consumer.expected.join(', ')}]`);
    }
  }
  if (!same(returned, UNROUTABLE)) {
    problems.push(`returned [${returned.join(', ')}], expected [${UNROUTABLE.join(', ')}]`);
  }
  if (acked !== KEYS.length) {
    problems.push(`${acked} of ${KEYS.length} publishes were acked`);
  }

  await publisherConnection.close();
  await channel.deleteExchange(EXCHANGE);
  await consumerConnection.close();
}

const watchdog = setTimeout(() => {
  process.stderr.write(`topics: FAILED: not done after ${OVERALL_TIMEOUT_MS} ms\n`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

main().then(
  () => {
    clearTimeout(watchdog);
    if (problems.length > 0) {
      for (const p of problems) process.stderr.write(`topics: FAILED: ${p}\n`);
      process.exit(1);
    }
    for (const consumer of CONSUMERS) {
      console.log(`topics: ${consumer.name} (${consumer.bindings.join(', ')}) got ${consumer.got.join(', ')}`);
    }
    console.log(`topics: returned unroutable ${returned.join(', ')}`);
    console.log(`topics: ${KEYS.length} published with confirms, ${acked} acked`);
    console.log('topics: OK');
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`topics: FAILED: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);

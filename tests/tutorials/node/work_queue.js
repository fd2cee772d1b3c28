#!/usr/bin/env node
// Work queues (RabbitMQ tutorial 2) with amqplib: a durable queue, persistent tasks, two workers
// on their own connections with prefetch 1 and manual acks.
//
// Checks: every task is delivered exactly once and never redelivered, keeps its persistent flag,
// no worker ever holds more than one unacked task (prefetch 1), and the dispatch is fair: a slow
// worker (200 ms a task) gets fewer tasks than a fast one (5 ms a task), where round-robin
// without prefetch would give each half. Prints a stable summary and exits 0 only if all of
// that held; otherwise says what did not on stderr and exits 1.
//
// Environment: AMQP_HOST (default localhost), AMQP_PORT (default 5672).
'use strict';

const amqp = require('amqplib');

const HOST = process.env.AMQP_HOST || 'localhost';
const PORT = process.env.AMQP_PORT || '5672';
const URL = `amqp://${HOST}:${PORT}`;
const QUEUE = 'node_task_queue';
const TASKS = 20;
const WORKERS = [
  { name: 'slow', millis: 200 },
  { name: 'fast', millis: 5 },
];
const OVERALL_TIMEOUT_MS = 30000;

const problems = [];

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startWorker(worker, processed) {
  worker.connection = await amqp.connect(URL);
  const channel = await worker.connection.createChannel();
  await channel.assertQueue(QUEUE, { durable: true });
  await channel.prefetch(1);
  worker.got = [];
  worker.unacked = 0;
  await channel.consume(
    QUEUE,
    (msg) => {
      if (msg === null) {
        problems.push(`${worker.name} worker: its consumer was cancelled by the server`);
        return;
      }
      const task = msg.content.toString();
      worker.unacked += 1;
      if (worker.unacked > 1) {
        problems.push(`${worker.name} worker: got ${task} with ${worker.unacked - 1} task(s) still unacked (prefetch 1)`);
      }
      if (msg.fields.redelivered) {
        problems.push(`${worker.name} worker: ${task} came redelivered`);
      }
      if (msg.properties.deliveryMode !== 2) {
        problems.push(`${worker.name} worker: ${task} has deliveryMode ${msg.properties.deliveryMode}, not 2 (persistent)`);
      }
      worker.got.push(task);
      processed.push(task);
      setTimeout(() => {
        worker.unacked -= 1;
        channel.ack(msg);
      }, worker.millis);
    },
    { noAck: false },
  );
}

async function main() {
  // A clean start: an earlier run may have left the queue behind.
  const admin = await amqp.connect(URL);
  const adminChannel = await admin.createChannel();
  await adminChannel.deleteQueue(QUEUE);

  const processed = [];
  for (const worker of WORKERS) {
    await startWorker(worker, processed);
  }

  // The producer, like new_task: persistent messages to the durable queue.
  const producer = await amqp.connect(URL);
  const channel = await producer.createChannel();
  await channel.assertQueue(QUEUE, { durable: true });
  const sent = [];
  for (let i = 1; i <= TASKS; i++) {
    const task = `task ${i}`;
    channel.sendToQueue(QUEUE, Buffer.from(task), { persistent: true });
    sent.push(task);
  }
  // Closing the channel first waits for channel.close-ok, after the publishes: amqplib's
  // connection close alone may drop content frames it has not written yet.
  await channel.close();
  await producer.close();

  const deadline = Date.now() + 15000;
  while (processed.length < TASKS && Date.now() < deadline) {
    await sleep(20);
  }
  // Let the last acks go out and catch any extra delivery.
  await sleep(300);

  const seen = new Map();
  for (const task of processed) {
    seen.set(task, (seen.get(task) || 0) + 1);
  }
  for (const task of sent) {
    const times = seen.get(task) || 0;
    if (times !== 1) {
      problems.push(`${task} was processed ${times} times, not once`);
    }
  }
  for (const task of seen.keys()) {
    if (!sent.includes(task)) {
      problems.push(`unexpected task ${JSON.stringify(task)}`);
    }
  }
  const [slow, fast] = WORKERS;
  if (slow.got.length === 0 || fast.got.length === 0) {
    problems.push('one worker got no task at all');
  }
  if (!(slow.got.length < fast.got.length)) {
    problems.push('the slow worker did not get fewer tasks than the fast one: prefetch 1 should send each task to a free worker');
  }
  process.stderr.write(`work queue split: slow ${slow.got.length} [${slow.got.join(', ')}], fast ${fast.got.length}\n`);

  for (const worker of WORKERS) {
    await worker.connection.close();
  }
  const deleted = await adminChannel.deleteQueue(QUEUE);
  if (deleted.messageCount !== 0) {
    problems.push(`the queue still held ${deleted.messageCount} messages at the end`);
  }
  await admin.close();
}

const watchdog = setTimeout(() => {
  process.stderr.write(`work queue: FAILED: not done after ${OVERALL_TIMEOUT_MS} ms\n`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

main().then(
  () => {
    clearTimeout(watchdog);
    if (problems.length > 0) {
      for (const p of problems) process.stderr.write(`work queue: FAILED: ${p}\n`);
      process.exit(1);
    }
    console.log(`work queue: ${TASKS} persistent tasks on a durable queue, ${WORKERS.length} workers with prefetch 1 and manual acks`);
    console.log('work queue: every task processed exactly once, none redelivered');
    console.log('work queue: no worker ever held more than 1 unacked task');
    console.log('work queue: the slow worker got fewer tasks than the fast one (fair dispatch)');
    console.log('work queue: OK');
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`work queue: FAILED: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);

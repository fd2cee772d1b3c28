#!/usr/bin/env python
import os
import pika

connection = pika.BlockingConnection(
    pika.ConnectionParameters(host=os.environ.get('AMQP_HOST', 'localhost'),
                              port=int(os.environ.get('AMQP_PORT', '5672'))))
channel = connection.channel()

channel.queue_declare(queue='hello', durable=True, arguments={'x-queue-type': 'quorum'})

channel.basic_publish(exchange='', routing_key='hello', body='Hello World!')
print(" [x] Sent 'Hello World!'")
connection.close()

//! Latency probe with the thinnest possible client: blocking sockets, hand-written frames, one
//! thread publishing at a fixed rate and one consuming, no client library in between. It
//! separates a broker's own latency from a client library's (`amqp-playground bench` uses
//! lapin, whose I/O thread and channels add their own tail).
//!
//! ```sh
//! cargo run --profile bench -p amqp-playground-server --example latency_probe -- 127.0.0.1:5673 10000 10
//! #                                                                              broker         msg/s  seconds
//! ```
//!
//! Prints p50 / p95 / p99 / max in microseconds (publish → delivery, 16-byte bodies, auto-ack).
//! It declares an exclusive server-named queue, so it leaves nothing behind on the broker.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn method(channel: u16, class: u16, method: u16, args: &[u8]) -> Vec<u8> {
    let mut payload = class.to_be_bytes().to_vec();
    payload.extend_from_slice(&method.to_be_bytes());
    payload.extend_from_slice(args);
    frame(1, channel, &payload)
}

fn frame(kind: u8, channel: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![kind];
    f.extend_from_slice(&channel.to_be_bytes());
    f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    f.extend_from_slice(payload);
    f.push(0xCE);
    f
}

fn read_frame(r: &mut impl Read) -> std::io::Result<(u8, Vec<u8>)> {
    let mut head = [0u8; 7];
    r.read_exact(&mut head)?;
    let size = u32::from_be_bytes([head[3], head[4], head[5], head[6]]) as usize;
    let mut payload = vec![0u8; size + 1];
    r.read_exact(&mut payload)?;
    payload.pop();
    Ok((head[0], payload))
}

fn shortstr(s: &str) -> Vec<u8> {
    let mut v = vec![s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}

/// Reads frames until a method with these ids arrives; returns its arguments.
fn expect(r: &mut impl Read, class: u16, id: u16) -> Vec<u8> {
    loop {
        let (kind, p) = read_frame(r).expect("broker closed the socket");
        if kind == 1 && p[..4] == [(class >> 8) as u8, class as u8, (id >> 8) as u8, id as u8] {
            return p[4..].to_vec();
        }
        if kind == 1 && p[..4] == [0, 10, 0, 50] {
            panic!("connection.close: {:?}", String::from_utf8_lossy(&p));
        }
    }
}

fn connect(addr: &str) -> (TcpStream, BufReader<TcpStream>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    s.write_all(b"AMQP\x00\x00\x09\x01").unwrap();
    expect(&mut r, 10, 10);
    let mut args = vec![0, 0, 0, 0];
    args.extend(shortstr("PLAIN"));
    args.extend_from_slice(&12u32.to_be_bytes());
    args.extend_from_slice(b"\0guest\0guest");
    args.extend(shortstr("en_US"));
    s.write_all(&method(0, 10, 11, &args)).unwrap();
    expect(&mut r, 10, 30);
    s.write_all(&method(0, 10, 31, &[0x07, 0xFF, 0, 2, 0, 0, 0, 0]))
        .unwrap();
    s.write_all(&method(0, 10, 40, &[1, b'/', 0, 0])).unwrap();
    expect(&mut r, 10, 41);
    s.write_all(&method(1, 20, 10, &[0])).unwrap();
    expect(&mut r, 20, 11);
    (s, r)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .first()
        .map_or("127.0.0.1:5673", String::as_str)
        .to_string();
    let rate: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);

    let (mut cs, mut cr) = connect(&addr);
    // queue.declare "" exclusive auto-delete; then consume with no-ack.
    cs.write_all(&method(1, 50, 10, &[0, 0, 0, 0b1100, 0, 0, 0, 0]))
        .unwrap();
    let ok = expect(&mut cr, 50, 11);
    let queue = String::from_utf8_lossy(&ok[1..1 + ok[0] as usize]).into_owned();
    let mut consume = vec![0, 0];
    consume.extend(shortstr(&queue));
    consume.extend(shortstr("probe"));
    consume.extend_from_slice(&[0b0010, 0, 0, 0, 0]); // no-ack
    cs.write_all(&method(1, 60, 20, &consume)).unwrap();
    expect(&mut cr, 60, 21);

    let start = Instant::now();
    let total = rate * seconds;
    let consumer = std::thread::spawn(move || {
        let mut latencies = Vec::with_capacity(total as usize);
        while (latencies.len() as u64) < total {
            let (kind, payload) = read_frame(&mut cr).expect("delivery");
            if kind == 3 && payload.len() == 16 {
                let sent = u64::from_be_bytes(payload[..8].try_into().unwrap());
                let now = start.elapsed().as_nanos() as u64;
                latencies.push(now.saturating_sub(sent));
            }
        }
        latencies
    });

    let (mut ps, _pr) = connect(&addr);
    let mut publish = vec![0, 0];
    publish.extend(shortstr(""));
    publish.extend(shortstr(&queue));
    publish.push(0);
    let publish = method(1, 60, 40, &publish);
    let mut header = vec![0, 60, 0, 0];
    header.extend_from_slice(&16u64.to_be_bytes());
    header.extend_from_slice(&[0, 0]);
    let header = frame(2, 1, &header);
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let mut message = Vec::with_capacity(publish.len() + header.len() + 24);
    for n in 0..total {
        let due = start + interval * n as u32;
        // Sleep, never spin: the consumer thread may share this core. The timestamp is taken
        // when the message is really sent, so pacing slack does not count as latency.
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let mut body = (start.elapsed().as_nanos() as u64).to_be_bytes().to_vec();
        body.extend_from_slice(&[0u8; 8]);
        message.clear();
        message.extend_from_slice(&publish);
        message.extend_from_slice(&header);
        message.extend_from_slice(&frame(3, 1, &body));
        ps.write_all(&message).unwrap();
    }
    let mut latencies = consumer.join().unwrap();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize] as f64 / 1000.0;
    println!(
        "{addr}: {} messages at {rate} msg/s: p50 {:.0} µs  p95 {:.0} µs  p99 {:.0} µs  max {:.0} µs",
        latencies.len(),
        at(0.50),
        at(0.95),
        at(0.99),
        at(1.0)
    );
}

//! Shutting the server down closes every open connection with 320 CONNECTION_FORCED (what
//! Ctrl-C does to `amqp-playground serve`), and a connection that is only half-way through its
//! handshake is simply dropped.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use amqp_playground_server::{spawn, ServerConfig};

/// Reads one frame: (type, channel, payload).
fn frame(s: &mut TcpStream) -> (u8, u16, Vec<u8>) {
    let mut head = [0u8; 7];
    s.read_exact(&mut head).expect("a frame header");
    let size = u32::from_be_bytes([head[3], head[4], head[5], head[6]]) as usize;
    let mut payload = vec![0u8; size + 1];
    s.read_exact(&mut payload)
        .expect("the payload and end octet");
    assert_eq!(payload.pop(), Some(0xCE));
    (head[0], u16::from_be_bytes([head[1], head[2]]), payload)
}

fn method(class: u16, method: u16, args: &[u8]) -> Vec<u8> {
    let mut payload = class.to_be_bytes().to_vec();
    payload.extend_from_slice(&method.to_be_bytes());
    payload.extend_from_slice(args);
    let mut f = vec![1, 0, 0];
    f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    f.extend_from_slice(&payload);
    f.push(0xCE);
    f
}

/// A server on a free port, without log lines.
fn quiet_server() -> amqp_playground_server::ServerHandle {
    spawn(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        log: false,
        ..ServerConfig::default()
    })
    .unwrap()
}

/// Handshake as guest up to open-ok.
fn open(addr: std::net::SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"AMQP\x00\x00\x09\x01").unwrap();
    assert_eq!(&frame(&mut s).2[..4], &[0, 10, 0, 10], "connection.start");
    // start-ok: empty client properties, PLAIN, "\0guest\0guest", locale en_US.
    let mut args = vec![0, 0, 0, 0, 5];
    args.extend_from_slice(b"PLAIN");
    let response = b"\0guest\0guest";
    args.extend_from_slice(&(response.len() as u32).to_be_bytes());
    args.extend_from_slice(response);
    args.push(5);
    args.extend_from_slice(b"en_US");
    s.write_all(&method(10, 11, &args)).unwrap();
    assert_eq!(&frame(&mut s).2[..4], &[0, 10, 0, 30], "connection.tune");
    // tune-ok: channel_max 2047, frame_max 131072, heartbeat 0.
    s.write_all(&method(10, 31, &[0x07, 0xFF, 0, 2, 0, 0, 0, 0]))
        .unwrap();
    // open: vhost "/", reserved shortstr, reserved bit.
    s.write_all(&method(10, 40, &[1, b'/', 0, 0])).unwrap();
    assert_eq!(&frame(&mut s).2[..4], &[0, 10, 0, 41], "connection.open-ok");
    s
}

#[test]
fn stopping_the_server_closes_connections_with_320() {
    let server = quiet_server();
    let addr = server.addr();
    let mut a = open(addr);
    let mut b = open(addr);
    let mut half = TcpStream::connect(addr).unwrap();
    half.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    half.write_all(b"AMQP\x00\x00\x09\x01").unwrap();
    assert_eq!(&frame(&mut half).2[..4], &[0, 10, 0, 10]);

    let stopper = std::thread::spawn(move || server.stop());
    for s in [&mut a, &mut b] {
        let (kind, channel, payload) = frame(s);
        assert_eq!(
            (kind, channel, &payload[..6]),
            (1, 0, &[0, 10, 0, 50, 0x01, 0x40][..])
        );
        let text_len = payload[6] as usize;
        assert_eq!(
            std::str::from_utf8(&payload[7..7 + text_len]).unwrap(),
            "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"
        );
        s.write_all(&method(10, 51, &[])).unwrap(); // close-ok
    }
    // The half-open connection gets no frame: its socket is closed.
    let mut rest = Vec::new();
    assert_eq!(
        half.read_to_end(&mut rest).map(|_| rest.len()).unwrap_or(0),
        0
    );
    stopper.join().unwrap();
    // And the port is no longer served.
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn a_server_stopped_the_moment_it_starts_still_stops() {
    // The stop can arrive before the server's tasks first run; each of them must still see it
    // (a broadcast sent before the accept loop subscribed once left tests hanging here).
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..50 {
            let server = quiet_server();
            let addr = server.addr();
            server.stop();
            done.send(addr).unwrap();
        }
    });
    for round in 0..50 {
        let addr = finished
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("round {round}: the server did not stop"));
        assert!(TcpStream::connect(addr).is_err(), "{addr} is still served");
    }
}

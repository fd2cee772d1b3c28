#!/usr/bin/env bash
# Benchmarks our native broker (`amqp-playground serve`) against the local RabbitMQ with
# `amqp-playground bench`, and prints a Markdown table of medians.
#
# Both brokers get CPU core 0 (ours is started with `taskset -c 0`; RabbitMQ's beam.smp is
# pinned with `taskset -a -p` for the length of each of its runs, and every thread's own
# affinity is restored afterwards, also on Ctrl-C); the load generator gets core 1.
#
# Scenarios (PerfTest equivalents in brackets):
#   a  1 producer + 1 consumer, 16 B, auto-ack                         [-x 1 -y 1 -s 16 -a]
#   b  1P + 1C, 1 KB, confirms (window 100), manual ack, prefetch 100  [-s 1000 -c 100 -q 100]
#   c  10 producers + 10 consumers (one connection each), 16 B, auto-ack
#   d  1P + 1C at a fixed 10,000 msg/s: latency                          [-r 10000]
# Server CPU: utime+stime of the broker process (/proc/PID/stat) over each run, per 100,000
# messages consumed.
#
# Environment:
#   BENCH_SECONDS     measured seconds per run (default 10; each run adds a 1 s warm-up)
#   BENCH_RUNS        runs per scenario and broker (default 5)
#   BENCH_DRAIN_SECONDS  how long consumers may take to catch up once producers stop (default
#                     6 × BENCH_SECONDS + 30: an unthrottled producer can build a backlog that a
#                     slower consumer needs several times the run to drain); a run that does not
#                     drain counts as failed and is left out of the medians
#   BENCH_SCENARIOS   subset, e.g. "a d" (default "a b c d")
#   BENCH_BROKERS     "ours rabbitmq" (default), or one of them
#   RABBITMQ_URL      default amqp://guest:guest@127.0.0.1:5672/%2f
#   BENCH_BROKER_CORE / BENCH_CLIENT_CORE   default 0 / 1
#
# Cleanup: our server is killed on exit; every bench run deletes its own queue (auto-delete and
# x-expires catch a run that is killed); if a run ended abnormally, leftover queues of this
# script (named bench-vs-rabbitmq-PID-…) are deleted with rabbitmqctl at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
RUNS=${BENCH_RUNS:-5}
SCENARIOS=${BENCH_SCENARIOS:-a b c d}
BROKERS=${BENCH_BROKERS:-ours rabbitmq}
RABBITMQ_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}
BROKER_CORE=${BENCH_BROKER_CORE:-0}
CLIENT_CORE=${BENCH_CLIENT_CORE:-1}
DRAIN_SECONDS=${BENCH_DRAIN_SECONDS:-$((SECONDS_PER_RUN * 6 + 30))}
# A run that takes this much longer than planned is interrupted (SIGINT: the bench stops,
# drains and deletes its queue), then killed 10 s later.
RUN_TIMEOUT=$((SECONDS_PER_RUN + DRAIN_SECONDS + 45))
QUEUE_PREFIX="bench-vs-rabbitmq-$$"

for tool in jq taskset ss; do
    command -v "$tool" > /dev/null || { echo "error: $tool is needed" >&2; exit 2; }
done
[[ "$SECONDS_PER_RUN" =~ ^[0-9]+$ && "$SECONDS_PER_RUN" -gt 0 ]] \
    || { echo "error: BENCH_SECONDS must be a positive integer" >&2; exit 2; }
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -gt 0 ]] \
    || { echo "error: BENCH_RUNS must be a positive integer" >&2; exit 2; }
[[ "$DRAIN_SECONDS" =~ ^[0-9]+$ ]] \
    || { echo "error: BENCH_DRAIN_SECONDS must be a whole number of seconds" >&2; exit 2; }

scenario_args() {
    case "$1" in
        a) echo "--producers 1 --consumers 1 --size 16 --ack auto" ;;
        b) echo "--producers 1 --consumers 1 --size 1024 --confirm 100 --ack manual --prefetch 100" ;;
        c) echo "--producers 10 --consumers 10 --size 16 --ack auto" ;;
        d) echo "--producers 1 --consumers 1 --size 16 --ack auto --rate 10000" ;;
        *) echo "error: unknown scenario $1 (a, b, c or d)" >&2; exit 2 ;;
    esac
}
scenario_title() {
    case "$1" in
        a) echo "a: 1P+1C, 16 B, auto-ack" ;;
        b) echo "b: 1P+1C, 1 KB, confirm 100, manual ack, prefetch 100" ;;
        c) echo "c: 10P+10C, 16 B, auto-ack" ;;
        d) echo "d: 1P+1C, 16 B, 10,000 msg/s" ;;
    esac
}
for s in $SCENARIOS; do scenario_args "$s" > /dev/null; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-vs-rabbitmq.XXXXXX")
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
SERVE_PID=""
RABBIT_PID=""
RABBIT_PINNED=0
ABNORMAL=0

restore_rabbit_affinity() {
    [[ -s "$WORK/rabbit-affinity" ]] || return 0
    while read -r tid mask; do
        taskset -p "$mask" "$tid" > /dev/null 2>&1 || true
    done < "$WORK/rabbit-affinity"
    RABBIT_PINNED=0
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    [[ "$RABBIT_PINNED" -eq 0 ]] || restore_rabbit_affinity
    if [[ -n "$SERVE_PID" ]] && kill -0 "$SERVE_PID" 2> /dev/null; then
        kill "$SERVE_PID" 2> /dev/null || true
        wait "$SERVE_PID" 2> /dev/null || true
    fi
    if [[ "$ABNORMAL" -gt 0 ]] && command -v rabbitmqctl > /dev/null; then
        echo "cleaning up leftover $QUEUE_PREFIX-* queues on RabbitMQ" >&2
        timeout 90 rabbitmqctl -q list_queues name 2> /dev/null | grep "^$QUEUE_PREFIX-" \
            | while read -r q; do timeout 60 rabbitmqctl -q delete_queue "$q" > /dev/null 2>&1 || true; done \
            || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "building the load generator and server (cargo build --profile bench)…" >&2
BIN=$(cargo build --profile bench -p amqp-playground-cli --message-format=json-render-diagnostics \
    | jq -r 'select(.reason == "compiler-artifact" and .target.name == "amqp-playground"
                    and .executable != null) | .executable' | tail -1)
[[ -x "$BIN" ]] || { echo "error: the amqp-playground binary was not built" >&2; exit 1; }

CLK_TCK=$(getconf CLK_TCK)
# utime + stime of a process, in clock ticks (fields 14 and 15; the name in field 2 may hold
# spaces, so count from the closing parenthesis).
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat" 2> /dev/null) || { echo 0; return; }
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo $(( ${12} + ${13} ))
}

declare -A URL
for broker in $BROKERS; do
    case "$broker" in
        ours)
            taskset -c "$BROKER_CORE" "$BIN" serve --amqp 127.0.0.1:0 \
                > "$WORK/serve.out" 2> "$WORK/serve.err" &
            SERVE_PID=$!
            port=""
            for _ in $(seq 100); do
                port=$(sed -n 's/^AMQP listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.out")
                [[ -n "$port" ]] && break
                kill -0 "$SERVE_PID" 2> /dev/null || break
                sleep 0.1
            done
            if [[ -n "$port" ]]; then
                URL[ours]="amqp://guest:guest@127.0.0.1:$port/%2f"
                echo "our server: pid $SERVE_PID on 127.0.0.1:$port (core $BROKER_CORE)" >&2
            else
                echo "our server did not start, skipping it: $(head -c 300 "$WORK/serve.err")" >&2
                kill "$SERVE_PID" 2> /dev/null || true
                SERVE_PID=""
            fi
            ;;
        rabbitmq)
            rport=$(sed -E 's#^amqps?://([^@/]*@)?[^:/]*:?([0-9]*).*#\2#' <<< "$RABBITMQ_URL")
            rport=${rport:-5672}
            RABBIT_PID=$(ss -ltnpH "sport = :$rport" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
            [[ -n "$RABBIT_PID" ]] || RABBIT_PID=$(pgrep -x beam.smp | head -1 || true)
            if [[ -n "$RABBIT_PID" ]]; then
                URL[rabbitmq]="$RABBITMQ_URL"
                for task in /proc/"$RABBIT_PID"/task/*; do
                    tid=${task##*/}
                    mask=$(taskset -p "$tid" 2> /dev/null | awk '{print $NF}') || continue
                    echo "$tid $mask"
                done > "$WORK/rabbit-affinity"
                echo "RabbitMQ: beam.smp pid $RABBIT_PID on port $rport (pinned to core $BROKER_CORE during its runs)" >&2
            else
                echo "no RabbitMQ listening on port $rport, skipping it" >&2
            fi
            ;;
        *) echo "error: unknown broker $broker (ours or rabbitmq)" >&2; exit 2 ;;
    esac
done
[[ ${#URL[@]} -gt 0 ]] || { echo "error: no broker to benchmark" >&2; exit 1; }

total=0
for s in $SCENARIOS; do for b in $BROKERS; do [[ -n "${URL[$b]:-}" ]] && total=$((total + RUNS)); done; done
echo "$total runs of ~$((SECONDS_PER_RUN + 2)) s; client on core $CLIENT_CORE" >&2

n=0
for run in $(seq "$RUNS"); do
    for s in $SCENARIOS; do
        # Alternate the brokers run by run, so slow drift of the machine hits both alike.
        for broker in $BROKERS; do
            url=${URL[$broker]:-}
            [[ -n "$url" ]] || continue
            n=$((n + 1))
            if [[ "$broker" == rabbitmq ]]; then
                pid=$RABBIT_PID
                RABBIT_PINNED=1
                taskset -a -p -c "$BROKER_CORE" "$pid" > /dev/null
            else
                pid=$SERVE_PID
            fi
            before=$(cpu_ticks "$pid")
            set +e
            # shellcheck disable=SC2046
            line=$(taskset -c "$CLIENT_CORE" timeout -s INT -k 10 "$RUN_TIMEOUT" \
                "$BIN" bench --amqp "$url" --json --duration "$SECONDS_PER_RUN" --drain-timeout "$DRAIN_SECONDS" \
                --queue "$QUEUE_PREFIX-$s-$broker-$run" $(scenario_args "$s") 2> "$WORK/bench.err")
            rc=$?
            set -e
            after=$(cpu_ticks "$pid")
            [[ "$broker" == rabbitmq ]] && restore_rabbit_affinity
            if ! jq -e . > /dev/null 2>&1 <<< "$line"; then
                line='{"ok": false, "consumed": 0}'
                ABNORMAL=$((ABNORMAL + 1))
            fi
            [[ $rc -ge 124 ]] && ABNORMAL=$((ABNORMAL + 1))
            jq -c --arg s "$s" --arg b "$broker" --argjson ticks $((after - before)) --argjson hz "$CLK_TCK" \
                '. + {scenario: $s, target: $b, server_cpu_s: ($ticks / $hz)}' <<< "$line" >> "$RESULTS"
            summary=$(jq -r '"\(.published_per_s // "-") msg/s published, \(.consumed_per_s // "-") consumed, p99 \(.latency_p99_us // "-") µs, server \(.server_cpu_s) CPU-s"' <<< "$(tail -1 "$RESULTS")")
            status="ok"
            [[ $rc -eq 0 ]] || status="FAILED (exit $rc: $(tail -1 "$WORK/bench.err" | head -c 200))"
            echo "[$n/$total] $s $broker run $run: $summary — $status" >&2
        done
    done
done

echo
echo "Medians of $RUNS runs × ${SECONDS_PER_RUN} s (after a 1 s warm-up); broker on core $BROKER_CORE, load generator on core $CLIENT_CORE."
echo
echo "| scenario | broker | published msg/s | consumed msg/s | confirmed msg/s | p50 µs | p95 µs | p99 µs | server CPU-s / 100k msgs | ok runs |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in $SCENARIOS; do
    for broker in $BROKERS; do
        [[ -n "${URL[$broker]:-}" ]] || continue
        jq -s -r --arg s "$s" --arg b "$broker" --arg title "$(scenario_title "$s")" '
            def median: map(select(. != null)) | sort
                | if length == 0 then null
                  elif length % 2 == 1 then .[length / 2 | floor]
                  else (.[length / 2 - 1] + .[length / 2]) / 2 end;
            def fmt: if . == null then "-" else (. * 10 | round / 10 | tostring) end;
            def int: if . == null then "-" else (round | tostring) end;
            map(select(.scenario == $s and .target == $b)) as $runs
            | ($runs | map(select(.ok))) as $ok
            | [ $title, $b,
                ($ok | map(.published_per_s) | median | int),
                ($ok | map(.consumed_per_s) | median | int),
                ($ok | map(.confirmed_per_s) | median | int),
                ($ok | map(.latency_p50_us) | median | fmt),
                ($ok | map(.latency_p95_us) | median | fmt),
                ($ok | map(.latency_p99_us) | median | fmt),
                ($ok | map(select(.consumed > 0) | .server_cpu_s / .consumed * 100000) | median
                     | if . == null then "-" else (. * 1000 | round / 1000 | tostring) end),
                "\($ok | length)/\($runs | length)" ]
            | "| " + join(" | ") + " |"' "$RESULTS"
    done
done

#!/usr/bin/env bash
# What encrypting the logging channel costs (docs/benchmarks.md, "Logging channel: TLS vs PSK"):
# the channel's two endpoints over loopback in one JVM, pre-shared-key mode (HMAC per frame, no
# encryption) and mutual TLS 1.3 alternated in rounds. No VM, no root.
#
#   bench/channel.sh                                   # 3 rounds: 512 MiB bulk + 5 s paced each
#   bench/channel.sh --bulk-mib 512 --rounds 5 --paced-seconds 10
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_build
{
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host:     $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
  echo "command:  bench/channel.sh $*"
} >&2
bench_java io.ftvm.bench.ChannelSecurityBench "$@"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

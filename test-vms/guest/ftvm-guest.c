/*
 * ftvm-guest: the workloads of the ftvm test VM.
 *
 * One static binary with subcommands, started by /init inside the guest.
 * Every line it prints starts with "FTVM <kind> " and is written with a single
 * write(2), so lines of concurrently running workloads never interleave on the
 * serial console.
 *
 * Determinism rules (the test VM is recorded and replayed by QEMU):
 *  - output content never contains a clock reading; clocks (virtual under
 *    -icount) only decide *when* a line is printed;
 *  - randomness comes from /dev/urandom only, so that a replayed guest must
 *    reproduce it from the log and a live-again guest produces new bytes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COUNTER_PORT 7000
#define ECHO_PORT 7001
#define KV_PORT 7002
#define BULK_PORT 7003

/* ---------------------------------------------------------------- output */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof(line) - 2) n = sizeof(line) - 2;
  line[n++] = '\n';
  /* One write per line: the console is shared by several workload processes. */
  ssize_t off = 0;
  while (off < n) {
    ssize_t w = write(STDOUT_FILENO, line + off, (size_t)(n - off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    off += w;
  }
}

static void die(const char *kind, const char *what) {
  say("FTVM %s error %s: %s", kind, what, strerror(errno));
  exit(1);
}

/* ---------------------------------------------------------------- helpers */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sleeps until an absolute CLOCK_MONOTONIC deadline so periodic loops do not drift. */
static void sleep_until(uint64_t deadline_ns) {
  struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000ull),
                        .tv_nsec = (long)(deadline_ns % 1000000000ull)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

static uint64_t fnv1a64(const void *data, size_t len, uint64_t h) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ull

static int read_urandom(void *buf, size_t len) {
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t got = 0;
  while (got < len) {
    ssize_t r = read(fd, (char *)buf + got, len - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      close(fd);
      return -1;
    }
    got += (size_t)r;
  }
  close(fd);
  return 0;
}

static void to_hex(const unsigned char *in, size_t len, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * len] = '\0';
}

static long parse_long_arg(const char *s, const char *name, long min, long max) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || end == s || v < min || v > max) {
    say("FTVM usage error %s: '%s' is not an integer in [%ld, %ld]", name, s, min, max);
    exit(2);
  }
  return v;
}

/* ---------------------------------------------------------------- idle / random */

static _Noreturn void cmd_idle(void) {
  const uint64_t period = 5000000000ull;
  uint64_t next = now_ns();
  for (uint64_t n = 0;; n++) {
    say("FTVM heartbeat %" PRIu64, n);
    next += period;
    sleep_until(next);
  }
}

static _Noreturn void cmd_random(void) {
  const uint64_t period = 2000000000ull;
  uint64_t next = now_ns();
  for (uint64_t n = 0;; n++) {
    unsigned char bytes[16];
    char hex[2 * sizeof(bytes) + 1];
    if (read_urandom(bytes, sizeof(bytes)) != 0) die("random", "reading /dev/urandom");
    to_hex(bytes, sizeof(bytes), hex);
    say("FTVM random %s n=%" PRIu64, hex, n);
    next += period;
    sleep_until(next);
  }
}

/* ---------------------------------------------------------------- cpu */

/*
 * The digest after round r is a pure function of r, so two independent runs can
 * be compared at any round they both printed, not only a record and its replay.
 */
static _Noreturn void cmd_cpu(void) {
  enum { BUF_LEN = 64 * 1024 };
  static unsigned char buf[BUF_LEN];
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < BUF_LEN; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    buf[i] = (unsigned char)(x >> 56);
  }
  uint64_t digest = FNV_OFFSET;
  uint64_t rounds = 0;
  const uint64_t period = 1000000000ull;
  uint64_t next_print = now_ns() + period;
  say("FTVM cpu start buffer=%d", BUF_LEN);
  for (;;) {
    digest = fnv1a64(buf, BUF_LEN, digest);
    /* Feed the digest back so no round can be skipped or precomputed. */
    memcpy(buf + (rounds * 8) % BUF_LEN, &digest, sizeof(digest));
    rounds++;
    if (now_ns() >= next_print) {
      say("FTVM cpu rounds=%" PRIu64 " digest=%016" PRIx64, rounds, digest);
      next_print += period;
    }
  }
}

/* ---------------------------------------------------------------- disk */

static int cmd_disk(int argc, char **argv) {
  const char *device = "/dev/vda";
  long blocks_per_second = 256;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
      device = argv[++i];
    } else if (strcmp(argv[i], "--blocks-per-second") == 0 && i + 1 < argc) {
      blocks_per_second = parse_long_arg(argv[++i], "--blocks-per-second", 1, 1000000);
    } else {
      say("FTVM usage error disk: unknown argument '%s'", argv[i]);
      return 2;
    }
  }
  enum { BLOCK = 4096 };
  int fd = open(device, O_RDWR | O_DIRECT | O_CLOEXEC);
  if (fd < 0) die("disk", device);
  uint64_t size = 0;
  if (ioctl(fd, BLKGETSIZE64, &size) != 0) die("disk", "BLKGETSIZE64");
  uint64_t nblocks = size / BLOCK;
  if (nblocks == 0) {
    say("FTVM disk error %s: device has %" PRIu64 " bytes, need at least %d", device, size,
        BLOCK);
    return 1;
  }
  /* Batches every 100 ms keep the number of interrupts (and replay-log events) modest; one
   * contiguous write, one read-back and one flush per batch, because each synchronous I/O costs
   * a noticeable amount of virtual time under TCG with blkreplay. */
  const uint64_t tick = 100000000ull;
  const long per_tick = blocks_per_second >= 10 ? blocks_per_second / 10 : 1;
  const uint64_t tick_len = blocks_per_second >= 10 ? tick : 1000000000ull / blocks_per_second;
  const size_t max_batch = (size_t)per_tick * BLOCK;
  unsigned char *wbuf, *rbuf;
  if (posix_memalign((void **)&wbuf, BLOCK, max_batch) != 0 ||
      posix_memalign((void **)&rbuf, BLOCK, max_batch) != 0) {
    say("FTVM disk error out of memory for %ld blocks per batch", per_tick);
    return 1;
  }
  uint64_t seed;
  if (read_urandom(&seed, sizeof(seed)) != 0) die("disk", "reading /dev/urandom");
  seed |= 1; /* xorshift state must not be zero */
  say("FTVM disk start device=%s blocks=%" PRIu64 " seed=%016" PRIx64 " rate=%ld",
      device, nblocks, seed, blocks_per_second);

  uint64_t x = seed, written = 0, errors = 0, sum = FNV_OFFSET;
  uint64_t next_tick = now_ns(), next_report = next_tick + 1000000000ull;
  for (;;) {
    uint64_t first = written % nblocks;
    uint64_t count = (uint64_t)per_tick;
    if (count > nblocks - first) count = nblocks - first; /* wrap at the end of the device */
    for (uint64_t b = 0; b < count; b++) {
      unsigned char *blk = wbuf + b * BLOCK;
      for (size_t i = 0; i < BLOCK; i += 8) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t v = x * 0x2545f4914f6cdd1dull;
        memcpy(blk + i, &v, 8);
      }
      uint64_t seq = written + b;
      memcpy(blk, &seq, sizeof(seq)); /* sequence number makes blocks traceable */
      sum = fnv1a64(blk, BLOCK, sum);
    }
    size_t len = (size_t)count * BLOCK;
    off_t off = (off_t)(first * BLOCK);
    if (pwrite(fd, wbuf, len, off) != (ssize_t)len) die("disk", "pwrite");
    if (fdatasync(fd) != 0) die("disk", "fdatasync");
    if (pread(fd, rbuf, len, off) != (ssize_t)len) die("disk", "pread");
    for (uint64_t b = 0; b < count; b++) {
      if (memcmp(wbuf + b * BLOCK, rbuf + b * BLOCK, BLOCK) != 0) {
        errors++;
        say("FTVM disk MISMATCH block=%" PRIu64 " seq=%" PRIu64, first + b, written + b);
      }
    }
    written += count;
    uint64_t now = now_ns();
    if (now >= next_report) {
      say("FTVM disk blocks=%" PRIu64 " sum=%016" PRIx64 " errors=%" PRIu64, written, sum,
          errors);
      next_report += 1000000000ull;
      if (next_report < now) next_report = now + 1000000000ull; /* I/O slower than the clock */
    }
    next_tick += tick_len;
    if (next_tick < now) next_tick = now; /* behind schedule: do not burst to catch up */
    sleep_until(next_tick);
  }
}

/* ---------------------------------------------------------------- net */

enum service { SVC_COUNTER, SVC_ECHO, SVC_KV, SVC_BULK, SVC_COUNT };
static const char *const service_names[SVC_COUNT] = {"counter", "echo", "kv", "bulk"};
static const int service_ports[SVC_COUNT] = {COUNTER_PORT, ECHO_PORT, KV_PORT, BULK_PORT};

enum { MAX_CONNS = 64, IN_CAP = 8192, OUT_CAP = 65536 };
enum { COUNTER_TICK_MS = 50, COUNTER_LINES_PER_TICK = 10 }; /* 200 lines/s */

struct conn {
  int fd;
  enum service svc;
  unsigned id;
  char peer[64];
  char in[IN_CAP];
  size_t in_len;
  char out[OUT_CAP];
  size_t out_off, out_len;
  uint64_t counter_next;
  uint64_t bytes_in;
  uint64_t bulk_sent, bulk_total; /* bulk: bytes streamed so far / requested (0 = not yet) */
  int closing; /* flush pending output, then close */
};

struct kv_entry {
  char *key;
  char *value;
  struct kv_entry *next;
};

enum { KV_BUCKETS = 1024, KV_MAX_ENTRIES = 100000 };

struct net_state {
  int listeners[SVC_COUNT];
  struct conn *conns[MAX_CONNS];
  unsigned next_conn_id;
  struct kv_entry *kv[KV_BUCKETS];
  size_t kv_entries;
  int bench_disk; /* /dev/vda for the DISK command, opened on first use; 0 = not yet */
  uint64_t bench_rng;
  unsigned char *bench_buf;
};

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("net", "socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) die("net", "bind");
  if (listen(fd, 16) != 0) die("net", "listen");
  return fd;
}

static size_t out_free(const struct conn *c) { return OUT_CAP - c->out_len; }

static void out_append(struct conn *c, const char *data, size_t len) {
  if (c->out_off > 0 && c->out_len + len > OUT_CAP) {
    memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
    c->out_len -= c->out_off;
    c->out_off = 0;
  }
  if (len > out_free(c)) len = out_free(c); /* callers check space; never overflow */
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
}

static size_t out_pending(const struct conn *c) { return c->out_len - c->out_off; }

static void out_compact(struct conn *c) {
  if (c->out_off == c->out_len) {
    c->out_off = c->out_len = 0;
  } else if (c->out_off > OUT_CAP / 2) {
    memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
    c->out_len -= c->out_off;
    c->out_off = 0;
  }
}

static void close_conn(struct net_state *st, int slot, const char *why) {
  struct conn *c = st->conns[slot];
  if (c->svc == SVC_COUNTER) {
    say("FTVM net close service=%s conn=%u reason=%s lines=%" PRIu64, service_names[c->svc],
        c->id, why, c->counter_next);
  } else if (c->svc == SVC_BULK) {
    say("FTVM net close service=%s conn=%u reason=%s bytes_out=%" PRIu64, service_names[c->svc],
        c->id, why, c->bulk_sent);
  } else {
    say("FTVM net close service=%s conn=%u reason=%s bytes_in=%" PRIu64,
        service_names[c->svc], c->id, why, c->bytes_in);
  }
  close(c->fd);
  free(c);
  st->conns[slot] = NULL;
}

static void accept_on(struct net_state *st, enum service svc) {
  for (;;) {
    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    int fd = accept4(st->listeners[svc], (struct sockaddr *)&peer, &plen,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        say("FTVM net error accept service=%s: %s", service_names[svc], strerror(errno));
      return;
    }
    unsigned id = ++st->next_conn_id;
    char peer_s[64];
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
    snprintf(peer_s, sizeof(peer_s), "%s:%u", ip, (unsigned)ntohs(peer.sin_port));
    int slot = -1;
    for (int i = 0; i < MAX_CONNS; i++)
      if (!st->conns[i]) {
        slot = i;
        break;
      }
    struct conn *c = slot >= 0 ? calloc(1, sizeof(*c)) : NULL;
    if (!c) {
      say("FTVM net reject service=%s conn=%u peer=%s reason=too-many-connections",
          service_names[svc], id, peer_s);
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->fd = fd;
    c->svc = svc;
    c->id = id;
    snprintf(c->peer, sizeof(c->peer), "%s", peer_s);
    st->conns[slot] = c;
    say("FTVM net accept service=%s conn=%u peer=%s", service_names[svc], id, peer_s);
  }
}

static struct kv_entry **kv_find(struct net_state *st, const char *key) {
  struct kv_entry **e = &st->kv[fnv1a64(key, strlen(key), FNV_OFFSET) % KV_BUCKETS];
  while (*e && strcmp((*e)->key, key) != 0) e = &(*e)->next;
  return e;
}

/* Returns 0 on success, -1 when memory or the entry limit is exhausted. */
static int kv_set(struct net_state *st, const char *key, const char *value) {
  struct kv_entry **e = kv_find(st, key);
  char *v = strdup(value);
  if (!v) return -1;
  if (*e) {
    free((*e)->value);
    (*e)->value = v;
    return 0;
  }
  if (st->kv_entries >= KV_MAX_ENTRIES) {
    free(v);
    return -1;
  }
  struct kv_entry *n = calloc(1, sizeof(*n));
  char *k = strdup(key);
  if (!n || !k) {
    free(n);
    free(k);
    free(v);
    return -1;
  }
  n->key = k;
  n->value = v;
  *e = n;
  st->kv_entries++;
  return 0;
}

static void kv_reply(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void kv_reply(struct conn *c, const char *fmt, ...) {
  char line[IN_CAP + 64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof(line) - 2) n = (int)sizeof(line) - 2;
  line[n++] = '\n';
  out_append(c, line, (size_t)n);
}

/*
 * Benchmark commands of the kv service (bench/run.sh's cpu and disk columns). The work runs
 * inside the poll loop, so a request blocks the other connections until it is done; the client
 * measures the wall-clock time of the round trip. Replies carry no clock reading.
 *
 *   CPU <rounds>        rounds of the cpu workload's hash over a 64 KiB buffer -> "<digest hex>"
 *   DISK <op> <n>       n 4 KiB O_DIRECT I/Os on /dev/vda -> "OK <n>"; op is one of
 *     seqwrite  n consecutive blocks, then one fdatasync
 *     seqread   n consecutive blocks
 *     randwrite n blocks at pseudo-random offsets, an fdatasync after each one
 *     randread  n blocks at pseudo-random offsets
 */
enum { BENCH_BLOCK = 4096, BENCH_CPU_BUF = 64 * 1024 };

static void bench_cpu(struct net_state *st, struct conn *c, const char *arg) {
  static unsigned char buf[BENCH_CPU_BUF];
  static uint64_t digest = FNV_OFFSET, rounds;
  char *end;
  long n = arg ? strtol(arg, &end, 10) : 0;
  if (!arg || *end || n < 1 || n > 10000000) {
    kv_reply(c, "ERR usage: CPU <rounds 1..10000000>");
    return;
  }
  (void)st;
  for (long i = 0; i < n; i++) {
    digest = fnv1a64(buf, BENCH_CPU_BUF, digest);
    memcpy(buf + (rounds * 8) % BENCH_CPU_BUF, &digest, sizeof(digest));
    rounds++;
  }
  kv_reply(c, "%016" PRIx64, digest);
}

static void bench_disk(struct net_state *st, struct conn *c, const char *op, const char *arg) {
  char *end;
  long n = arg ? strtol(arg, &end, 10) : 0;
  if (!op || !arg || *end || n < 1 || n > 1000000) {
    kv_reply(c, "ERR usage: DISK seqwrite|seqread|randwrite|randread <n 1..1000000>");
    return;
  }
  if (st->bench_disk == 0) {
    st->bench_disk = open("/dev/vda", O_RDWR | O_DIRECT | O_CLOEXEC);
    if (st->bench_disk < 0 || posix_memalign((void **)&st->bench_buf, BENCH_BLOCK, BENCH_BLOCK)) {
      st->bench_disk = 0;
      kv_reply(c, "ERR cannot open /dev/vda: %s", strerror(errno));
      return;
    }
    memset(st->bench_buf, 0xa5, BENCH_BLOCK);
    st->bench_rng = 0x9e3779b97f4a7c15ull;
  }
  uint64_t size = 0;
  if (ioctl(st->bench_disk, BLKGETSIZE64, &size) != 0 || size < BENCH_BLOCK) {
    kv_reply(c, "ERR /dev/vda size");
    return;
  }
  uint64_t blocks = size / BENCH_BLOCK;
  int write_op = strcmp(op, "seqwrite") == 0 || strcmp(op, "randwrite") == 0;
  int random_op = strcmp(op, "randwrite") == 0 || strcmp(op, "randread") == 0;
  if (!write_op && !random_op && strcmp(op, "seqread") != 0) {
    kv_reply(c, "ERR unknown DISK op '%s'", op);
    return;
  }
  for (long i = 0; i < n; i++) {
    uint64_t block = (uint64_t)i % blocks;
    if (random_op) {
      st->bench_rng ^= st->bench_rng << 13;
      st->bench_rng ^= st->bench_rng >> 7;
      st->bench_rng ^= st->bench_rng << 17;
      block = st->bench_rng % blocks;
    }
    off_t off = (off_t)(block * BENCH_BLOCK);
    ssize_t done = write_op ? pwrite(st->bench_disk, st->bench_buf, BENCH_BLOCK, off)
                            : pread(st->bench_disk, st->bench_buf, BENCH_BLOCK, off);
    if (done != BENCH_BLOCK || (write_op && random_op && fdatasync(st->bench_disk) != 0)) {
      kv_reply(c, "ERR I/O at block %" PRIu64 ": %s", block, strerror(errno));
      return;
    }
  }
  if (write_op && !random_op && fdatasync(st->bench_disk) != 0) {
    kv_reply(c, "ERR fdatasync: %s", strerror(errno));
    return;
  }
  kv_reply(c, "OK %ld", n);
}

static void kv_command(struct net_state *st, struct conn *c, char *line) {
  size_t len = strlen(line);
  if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
  char *save = NULL;
  char *cmd = strtok_r(line, " ", &save);
  if (!cmd) return; /* blank line */
  char *key = strtok_r(NULL, " ", &save);
  if (strcasecmp(cmd, "PING") == 0) {
    kv_reply(c, "PONG");
  } else if (strcasecmp(cmd, "SET") == 0) {
    char *value = save ? save : NULL; /* the value is the rest of the line, spaces included */
    if (!key || !value || !*value) {
      kv_reply(c, "ERR usage: SET <key> <value>");
    } else if (kv_set(st, key, value) != 0) {
      kv_reply(c, "ERR store full");
    } else {
      kv_reply(c, "OK");
    }
  } else if (strcasecmp(cmd, "GET") == 0) {
    if (!key) {
      kv_reply(c, "ERR usage: GET <key>");
    } else {
      struct kv_entry *e = *kv_find(st, key);
      if (e)
        kv_reply(c, "%s", e->value);
      else
        kv_reply(c, "NIL");
    }
  } else if (strcasecmp(cmd, "INCR") == 0) {
    if (!key) {
      kv_reply(c, "ERR usage: INCR <key>");
      return;
    }
    struct kv_entry *e = *kv_find(st, key);
    long long v = 0;
    if (e) {
      char *end;
      errno = 0;
      v = strtoll(e->value, &end, 10);
      if (errno != 0 || *end != '\0' || end == e->value) {
        kv_reply(c, "ERR value of '%s' is not an integer", key);
        return;
      }
    }
    if (v == INT64_MAX) {
      kv_reply(c, "ERR increment would overflow");
      return;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v + 1);
    if (kv_set(st, key, buf) != 0)
      kv_reply(c, "ERR store full");
    else
      kv_reply(c, "%s", buf);
  } else if (strcasecmp(cmd, "CPU") == 0) {
    bench_cpu(st, c, key);
  } else if (strcasecmp(cmd, "DISK") == 0) {
    bench_disk(st, c, key, strtok_r(NULL, " ", &save));
  } else {
    kv_reply(c, "ERR unknown command '%s' (SET, GET, INCR, PING, CPU, DISK)", cmd);
  }
}

/* Worst-case reply size: a stored value can be almost a whole input line. */
enum { KV_REPLY_MAX = IN_CAP + 64 };

static void handle_kv_input(struct net_state *st, struct conn *c) {
  size_t start = 0;
  for (;;) {
    if (out_free(c) + c->out_off < KV_REPLY_MAX) break; /* back-pressure: answer later */
    char *nl = memchr(c->in + start, '\n', c->in_len - start);
    if (!nl) break;
    *nl = '\0';
    kv_command(st, c, c->in + start);
    start = (size_t)(nl - c->in) + 1;
  }
  memmove(c->in, c->in + start, c->in_len - start);
  c->in_len -= start;
  if (c->in_len == IN_CAP) {
    kv_reply(c, "ERR line longer than %d bytes", IN_CAP - 1);
    c->closing = 1;
    c->in_len = 0;
  }
}

static void counter_tick(struct conn *c) {
  for (int i = 0; i < COUNTER_LINES_PER_TICK; i++) {
    if (out_free(c) + c->out_off < 32 || out_pending(c) > 4096) return; /* client is slow */
    char line[32];
    int n = snprintf(line, sizeof(line), "%" PRIu64 "\n", c->counter_next);
    out_append(c, line, (size_t)n);
    c->counter_next++;
  }
}

/*
 * bulk: byte i of every stream is bulk_byte(i), so a client can check each byte it got without
 * a copy of the stream; not periodic at 256 bytes, so a dropped or repeated segment shows.
 */
static unsigned char bulk_byte(uint64_t i) { return (unsigned char)(i ^ (i >> 8) ^ (i >> 16)); }

enum { BULK_MAX = 1ull << 40 };

/* The request is one line, the decimal byte count; anything else closes the connection. */
static void handle_bulk_input(struct conn *c) {
  char *nl = memchr(c->in, '\n', c->in_len);
  if (!nl) {
    if (c->in_len > 32) c->closing = 1;
    return;
  }
  *nl = '\0';
  char *end;
  errno = 0;
  unsigned long long n = strtoull(c->in, &end, 10);
  if (errno != 0 || end == c->in || (*end != '\0' && *end != '\r') || n == 0 || n > BULK_MAX) {
    c->closing = 1;
  } else {
    c->bulk_total = n;
    say("FTVM net bulk conn=%u bytes=%llu", c->id, n);
  }
  c->in_len = 0;
}

/* Tops up the output buffer from the pattern; false once the whole stream is queued. */
static int bulk_fill(struct conn *c) {
  out_compact(c);
  while (c->bulk_sent + out_pending(c) < c->bulk_total && out_free(c) > 0) {
    uint64_t next = c->bulk_sent + out_pending(c);
    size_t room = out_free(c);
    if (room > c->bulk_total - next) room = (size_t)(c->bulk_total - next);
    for (size_t i = 0; i < room; i++) c->out[c->out_len + i] = (char)bulk_byte(next + i);
    c->out_len += room;
  }
  return c->bulk_sent + out_pending(c) < c->bulk_total;
}

/* Returns 0 to keep the connection, or a reason string to close it. */
static const char *conn_read(struct net_state *st, struct conn *c) {
  for (;;) {
    char scratch[4096];
    char *dst;
    size_t room;
    switch (c->svc) {
      case SVC_COUNTER: /* input is ignored; read only to notice EOF */
        dst = scratch;
        room = sizeof(scratch);
        break;
      case SVC_ECHO:
        out_compact(c);
        dst = scratch;
        room = out_free(c) < sizeof(scratch) ? out_free(c) : sizeof(scratch);
        break;
      case SVC_BULK: /* the request line, then input is ignored; read only to notice EOF */
        if (c->bulk_total == 0) {
          dst = c->in + c->in_len;
          room = IN_CAP - c->in_len;
        } else {
          dst = scratch;
          room = sizeof(scratch);
        }
        break;
      default:
        dst = c->in + c->in_len;
        room = IN_CAP - c->in_len;
        break;
    }
    if (room == 0) return NULL;
    ssize_t r = read(c->fd, dst, room);
    if (r == 0) return "eof";
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return NULL;
      if (errno == EINTR) continue;
      return strerror(errno);
    }
    c->bytes_in += (uint64_t)r;
    if (c->svc == SVC_ECHO) out_append(c, scratch, (size_t)r);
    if (c->svc == SVC_KV) {
      c->in_len += (size_t)r;
      handle_kv_input(st, c);
      if (c->closing) return NULL;
    }
    if (c->svc == SVC_BULK && c->bulk_total == 0) {
      c->in_len += (size_t)r;
      handle_bulk_input(c);
      if (c->closing) return NULL;
    }
  }
}

static const char *conn_write(struct conn *c) {
  while (out_pending(c) > 0) {
    ssize_t w = send(c->fd, c->out + c->out_off, out_pending(c), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return NULL;
      if (errno == EINTR) continue;
      return strerror(errno);
    }
    c->out_off += (size_t)w;
    if (c->svc == SVC_BULK) {
      c->bulk_sent += (uint64_t)w;
      if (out_pending(c) == 0) bulk_fill(c); /* keep the socket full without a poll round */
    }
  }
  out_compact(c);
  return NULL;
}

static _Noreturn void cmd_net(void) {
  struct net_state *st = calloc(1, sizeof(*st));
  if (!st) die("net", "calloc");
  for (int s = 0; s < SVC_COUNT; s++) st->listeners[s] = listen_on(service_ports[s]);
  say("FTVM net listening counter=%d echo=%d kv=%d bulk=%d", COUNTER_PORT, ECHO_PORT, KV_PORT,
      BULK_PORT);
  const uint64_t tick = COUNTER_TICK_MS * 1000000ull;
  uint64_t next_tick = now_ns() + tick;
  struct pollfd pfds[SVC_COUNT + MAX_CONNS];
  int slot_of[SVC_COUNT + MAX_CONNS];
  for (;;) {
    int n = 0, counters = 0;
    for (int s = 0; s < SVC_COUNT; s++) {
      pfds[n] = (struct pollfd){.fd = st->listeners[s], .events = POLLIN};
      slot_of[n++] = -1 - s;
    }
    for (int i = 0; i < MAX_CONNS; i++) {
      struct conn *c = st->conns[i];
      if (!c) continue;
      short ev = 0;
      if (!c->closing) {
        int can_read = c->svc == SVC_COUNTER || c->svc == SVC_BULK ||
                       (c->svc == SVC_ECHO && out_free(c) + c->out_off > 0) ||
                       (c->svc == SVC_KV && c->in_len < IN_CAP);
        if (can_read) ev |= POLLIN;
      }
      if (c->svc == SVC_BULK && !c->closing && c->bulk_total > 0) bulk_fill(c);
      if (out_pending(c) > 0) ev |= POLLOUT;
      if (c->svc == SVC_COUNTER) counters++;
      pfds[n] = (struct pollfd){.fd = c->fd, .events = ev};
      slot_of[n++] = i;
    }
    int timeout = -1; /* no counter stream: sleep until something happens */
    if (counters > 0) {
      uint64_t now = now_ns();
      timeout = next_tick > now ? (int)((next_tick - now + 999999) / 1000000) : 0;
    }
    int rc = poll(pfds, (nfds_t)n, timeout);
    if (rc < 0 && errno != EINTR) die("net", "poll");
    for (int p = 0; rc > 0 && p < n; p++) {
      if (!pfds[p].revents) continue;
      if (slot_of[p] < 0) {
        accept_on(st, (enum service)(-1 - slot_of[p]));
        continue;
      }
      int slot = slot_of[p];
      struct conn *c = st->conns[slot];
      const char *why = NULL;
      if (pfds[p].revents & (POLLIN | POLLHUP | POLLERR)) why = conn_read(st, c);
      if (!why && out_pending(c) > 0) why = conn_write(c);
      if (!why && c->svc == SVC_KV && c->in_len > 0 && !c->closing) {
        handle_kv_input(st, c); /* lines held back by back-pressure */
        why = conn_write(c);
      }
      if (!why && c->closing && out_pending(c) == 0) why = "protocol-error";
      if (!why && c->svc == SVC_BULK && c->bulk_total > 0 && c->bulk_sent == c->bulk_total)
        why = "done";
      if (why) close_conn(st, slot, why);
    }
    if (counters > 0 && now_ns() >= next_tick) {
      for (int i = 0; i < MAX_CONNS; i++) {
        struct conn *c = st->conns[i];
        if (!c || c->svc != SVC_COUNTER) continue;
        counter_tick(c);
        const char *why = conn_write(c);
        if (why) close_conn(st, i, why);
      }
      next_tick += tick;
      uint64_t now = now_ns();
      if (next_tick < now) next_tick = now + tick; /* after a long stall, do not burst */
    } else if (counters == 0) {
      next_tick = now_ns() + tick;
    }
  }
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *to) {
  fprintf(to,
          "usage: ftvm-guest <command> [options]\n"
          "  idle                  heartbeat line every 5 s\n"
          "  random                16 fresh bytes of /dev/urandom every 2 s\n"
          "  cpu                   hashing loop, digest line every second\n"
          "  disk [--device DEV] [--blocks-per-second N]\n"
          "                        write/read-back pseudo-random 4 KiB blocks (O_DIRECT)\n"
          "  net                   TCP services: counter %d, echo %d, kv %d, bulk %d\n",
          COUNTER_PORT, ECHO_PORT, KV_PORT, BULK_PORT);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "idle") == 0) cmd_idle();
  if (strcmp(cmd, "random") == 0) cmd_random();
  if (strcmp(cmd, "cpu") == 0) cmd_cpu();
  if (strcmp(cmd, "disk") == 0) return cmd_disk(argc - 2, argv + 2);
  if (strcmp(cmd, "net") == 0) cmd_net();
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "ftvm-guest: unknown command '%s'\n", cmd);
  usage(stderr);
  return 2;
}

/* loadgen.c — bounded TCP load for the tcplife benchmark capture.
 *
 * Only ever talks to the address it is given; make-capture.sh runs it inside
 * network namespaces it creates, so no packet leaves the veth pair.
 *
 *   loadgen server ADDR PORT NPORTS NPROCS SECONDS
 *       listen on ADDR:PORT..PORT+NPORTS-1 with NPROCS forked accept loops;
 *       exits by itself after SECONDS.
 *   loadgen client ADDR PORT NPORTS CLOSED_PORT CONNS WORKERS LONG_EVERY LONG_BYTES SECONDS
 *       CONNS connections spread over WORKERS forked processes; a connection's
 *       kind follows its index (see kind_of); gives up after SECONDS.
 *   loadgen scan SRC DST COUNT PPS SECONDS
 *       raw-socket SYN scan of closed ports of DST: COUNT SYNs, each on its own
 *       4-tuple, paced at PPS; the peer's kernel answers each with a RST.
 *
 * Request: 64 bytes, the first is the kind. Kinds:
 *   'a' client closes first, server closes at once on EOF (FIN merged with the ACK)
 *   'b' client closes first, server closes 50 ms after EOF (four-way)
 *   'c' server closes first right after its response, client closes at once on EOF
 *   'd' server closes first, client closes 50 ms after EOF (four-way)
 *   'l' long transfer: server sends LONG_BYTES, then closes
 *   'r' server aborts with SO_LINGER {1,0} after reading the request
 *   'R' client aborts with SO_LINGER {1,0} after reading the response
 *   refused: connect to CLOSED_PORT (no listener: the SYN is answered by a RST)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REQ_LEN  64
#define RESP_LEN 1200
/* Linux delays the ACK of a FIN (pingpong mode, >= 40 ms): a close within
 * that time rides on the ACK (FIN+ACK merged), a later one makes a four-way close. */
#define CLOSE_DELAY_MS 50

static char buf[65536];

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int read_full(int fd, char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const char *p, size_t n)
{
    size_t put = 0;
    while (put < n) {
        ssize_t w = write(fd, p + put, n - put);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        put += (size_t)w;
    }
    return 0;
}

static void drain(int fd)
{
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
    }
}

static void abort_close(int fd)
{
    struct linger lg = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

static void msleep(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---- server ---- */

static void serve(int lfd, long long long_bytes)
{
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            die("accept");
        }
        char req[REQ_LEN];
        if (read_full(fd, req, REQ_LEN) < 0) {
            close(fd);
            continue;
        }
        switch (req[0]) {
        case 'a':
        case 'b':
            if (write_full(fd, buf, RESP_LEN) == 0)
                drain(fd);
            if (req[0] == 'b')
                msleep(CLOSE_DELAY_MS);
            close(fd);
            break;
        case 'c':
        case 'd':
        case 'R':
            write_full(fd, buf, RESP_LEN);
            if (req[0] == 'R')
                drain(fd);
            close(fd);
            break;
        case 'l': {
            long long left;
            memcpy(&left, req + 8, sizeof left);
            if (left <= 0 || left > long_bytes)
                left = long_bytes;
            while (left > 0) {
                size_t n = left > (long long)sizeof buf ? sizeof buf : (size_t)left;
                if (write_full(fd, buf, n) < 0)
                    break;
                left -= (long long)n;
            }
            close(fd);
            break;
        }
        case 'r':
            abort_close(fd);
            break;
        default:
            close(fd);
        }
    }
}

static int listen_on(const char *addr, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
        die("address");
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("bind");
    if (listen(fd, 4096) < 0)
        die("listen");
    return fd;
}

static int run_server(char **av)
{
    const char *addr = av[0];
    int port = atoi(av[1]), nports = atoi(av[2]), nprocs = atoi(av[3]), secs = atoi(av[4]);
    int lfd[64];
    if (nports < 1 || nports > 64 || nprocs < 1)
        die("server arguments");
    for (int i = 0; i < nports; i++)
        lfd[i] = listen_on(addr, port + i);
    /* Every listener gets its share of the accept loops. */
    for (int p = 0; p < nprocs; p++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            alarm((unsigned)secs);
            serve(lfd[p % nports], 1LL << 40);
            _exit(0);
        }
    }
    printf("ready\n");
    fflush(stdout);
    alarm((unsigned)secs);
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    return 0;
}

/* ---- client ---- */

static long long long_every_g, long_bytes_g;

static char kind_of(long i)
{
    if (long_every_g > 0 && i % long_every_g == long_every_g - 1)
        return 'l';
    static const char mix[100 + 1] =
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbccccccccccccccccccccccccc"
        "ddddddddddrrrrrrrrRRRRRxxxxxxx";
    /* spread the kinds: a multiplicative step walks all of 0..99 */
    return mix[(i * 37) % 100];
}

struct counts { long ok, refused, failed; };

static void client_conn(const struct sockaddr_in *server, int closed_port, int nports, long i, struct counts *c)
{
    char kind = kind_of(i);
    struct sockaddr_in sa = *server;
    if (kind == 'x')
        sa.sin_port = htons((uint16_t)closed_port);
    else
        sa.sin_port = htons((uint16_t)(ntohs(server->sin_port) + i % nports));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        c->failed++;
        return;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (errno == ECONNREFUSED && kind == 'x')
            c->refused++;
        else
            c->failed++;
        close(fd);
        return;
    }
    char req[REQ_LEN] = { kind };
    long long want = long_bytes_g / 2 + (long long)((i * 7919) % 1000) * (long_bytes_g / 1000);
    memcpy(req + 8, &want, sizeof want);
    if (write_full(fd, req, REQ_LEN) < 0) {
        c->failed++;
        close(fd);
        return;
    }
    switch (kind) {
    case 'a':
    case 'b':
        if (read_full(fd, buf, RESP_LEN) < 0)
            c->failed++;
        else
            c->ok++;
        close(fd);
        return;
    case 'c':
    case 'd':
    case 'l':
        drain(fd);
        if (kind == 'd')
            msleep(CLOSE_DELAY_MS);
        c->ok++;
        close(fd);
        return;
    case 'R':
        if (read_full(fd, buf, RESP_LEN) < 0)
            c->failed++;
        else
            c->ok++;
        abort_close(fd);
        return;
    case 'r':
        drain(fd);
        c->ok++;
        close(fd);
        return;
    }
}

static int run_client(char **av)
{
    struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(av[1])) };
    if (inet_pton(AF_INET, av[0], &server.sin_addr) != 1)
        die("address");
    int nports = atoi(av[2]), closed_port = atoi(av[3]);
    long conns = atol(av[4]);
    int workers = atoi(av[5]);
    long_every_g = atoll(av[6]);
    long_bytes_g = atoll(av[7]);
    int secs = atoi(av[8]);
    if (nports < 1 || workers < 1 || conns < 0)
        die("client arguments");
    int pipes[2];
    if (pipe(pipes) < 0)
        die("pipe");
    for (int w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            close(pipes[0]);
            alarm((unsigned)secs);
            struct counts c = { 0, 0, 0 };
            for (long i = w; i < conns; i += workers)
                client_conn(&server, closed_port, nports, i, &c);
            if (write(pipes[1], &c, sizeof c) != sizeof c)
                _exit(1);
            _exit(0);
        }
    }
    close(pipes[1]);
    struct counts total = { 0, 0, 0 }, c;
    while (read(pipes[0], &c, sizeof c) == sizeof c) {
        total.ok += c.ok;
        total.refused += c.refused;
        total.failed += c.failed;
    }
    while (wait(NULL) > 0)
        ;
    printf("client: %ld connections completed, %ld refused, %ld failed\n", total.ok, total.refused, total.failed);
    return 0;
}

/* ---- SYN scan ---- */

static uint16_t csum(const void *data, size_t len, uint32_t sum)
{
    const uint8_t *p = data;
    for (; len > 1; p += 2, len -= 2)
        sum += (uint32_t)(p[0] << 8 | p[1]);
    if (len)
        sum += (uint32_t)(p[0] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static int run_scan(char **av)
{
    struct in_addr src, dst;
    if (inet_pton(AF_INET, av[0], &src) != 1 || inet_pton(AF_INET, av[1], &dst) != 1)
        die("address");
    long count = atol(av[2]), pps = atol(av[3]);
    alarm((unsigned)atoi(av[4]));
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
    if (fd < 0)
        die("raw socket");
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst };
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint32_t isn = 0x12345678;
    for (long i = 0; i < count; i++) {
        /* 24-byte header: the MSS option, as a scanner's SYN carries it. */
        uint8_t pkt[12 + 24];
        uint8_t *t = pkt + 12;
        uint16_t sport = (uint16_t)(40000 + i / 50000);
        uint16_t dport = (uint16_t)(10000 + i % 50000);
        isn = isn * 1103515245u + 12345u;
        memset(pkt, 0, sizeof pkt);
        memcpy(pkt, &src, 4);
        memcpy(pkt + 4, &dst, 4);
        pkt[9] = IPPROTO_TCP;
        pkt[11] = 24;
        t[0] = (uint8_t)(sport >> 8); t[1] = (uint8_t)sport;
        t[2] = (uint8_t)(dport >> 8); t[3] = (uint8_t)dport;
        t[4] = (uint8_t)(isn >> 24); t[5] = (uint8_t)(isn >> 16); t[6] = (uint8_t)(isn >> 8); t[7] = (uint8_t)isn;
        t[12] = 6 << 4;
        t[13] = 0x02;
        t[14] = 0x04; t[15] = 0x00;     /* window 1024 */
        t[20] = 2; t[21] = 4; t[22] = 0x05; t[23] = 0xb4;   /* MSS 1460 */
        uint16_t s = csum(pkt, sizeof pkt, 0);
        t[16] = (uint8_t)(s >> 8); t[17] = (uint8_t)s;
        to.sin_port = htons(dport);
        while (sendto(fd, t, 24, 0, (struct sockaddr *)&to, sizeof to) < 0) {
            if (errno != ENOBUFS && errno != EINTR)
                die("sendto");
            msleep(1);
        }
        if (pps > 0 && i % 100 == 99) {
            /* pace: sleep until i+1 packets are due */
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double due = (double)(i + 1) / (double)pps;
            double el = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
            if (due > el) {
                struct timespec ts = { (time_t)(due - el), (long)((due - el - (double)(time_t)(due - el)) * 1e9) };
                nanosleep(&ts, NULL);
            }
        }
    }
    printf("scan: %ld SYNs sent\n", count);
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    memset(buf, 'x', sizeof buf);
    if (argc == 7 && strcmp(argv[1], "server") == 0)
        return run_server(argv + 2);
    if (argc == 11 && strcmp(argv[1], "client") == 0)
        return run_client(argv + 2);
    if (argc == 7 && strcmp(argv[1], "scan") == 0)
        return run_scan(argv + 2);
    fprintf(stderr, "usage: see the comment at the top of loadgen.c\n");
    return 2;
}

/* test_locate.c — tl_find_tcp on raw frames: Ethernet/VLAN framing, IPv4 with
 * options, TSO zero length, padding and snap length, IPv6 extension headers,
 * fragments, tunnels, ports that match only elsewhere (tcp_locate.h). */
#include <string.h>

#include "segments.h"
#include "tcp_locate.h"

#define FRAME_MAX 256
#define SPORT 40000
#define DPORT 443

typedef struct {
    unsigned char b[FRAME_MAX];
    size_t len;
} frame;

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void append(frame *f, const void *bytes, size_t n)
{
    g_assert_cmpuint(f->len + n, <=, FRAME_MAX);
    memcpy(f->b + f->len, bytes, n);
    f->len += n;
}

static void append_zeros(frame *f, size_t n)
{
    g_assert_cmpuint(f->len + n, <=, FRAME_MAX);
    memset(f->b + f->len, 0, n);
    f->len += n;
}

/* 14 bytes of Ethernet whose addresses hold the IPv4 version nibble and both ports. */
static void append_ethernet(frame *f, unsigned ethertype)
{
    unsigned char eth[14] = { 0x45, 0x00, 0x9c, 0x40, 0x01, 0xbb, 0x45, 0x06, 0x9c, 0x40, 0x01, 0xbb };
    put16(eth + 12, ethertype);
    append(f, eth, sizeof eth);
}

/* An IPv4 header of ihl bytes, total length total, protocol proto, 10.0.0.1 -> 10.0.0.2. */
static void append_ipv4(frame *f, size_t ihl, unsigned total, unsigned proto, unsigned frag)
{
    unsigned char ip[60] = { 0 };
    ip[0] = (unsigned char)(0x40 | ihl / 4);
    put16(ip + 2, total);
    put16(ip + 6, frag);
    ip[8] = 64;
    ip[9] = (unsigned char)proto;
    memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    append(f, ip, ihl);
}

static void append_ipv6(frame *f, unsigned plen, unsigned next)
{
    unsigned char ip[40] = { 0x60 };
    put16(ip + 4, plen);
    ip[6] = (unsigned char)next;
    ip[7] = 64;
    ip[8] = 0x20, ip[9] = 0x01, ip[23] = 1;     /* 2001::1 */
    ip[24] = 0x20, ip[25] = 0x01, ip[39] = 2;   /* 2001::2 */
    append(f, ip, sizeof ip);
}

/* An extension header of len bytes (a multiple of 8) whose next header is next. */
static void append_ext(frame *f, unsigned next, size_t len)
{
    unsigned char ext[24] = { 0 };
    ext[0] = (unsigned char)next;
    ext[1] = (unsigned char)(len / 8 - 1);
    append(f, ext, len);
}

/* A 20-byte TCP header with the given ports and data offset. */
static void append_tcp(frame *f, unsigned sport, unsigned dport, unsigned hdr_words)
{
    unsigned char tcp[20] = { 0 };
    put16(tcp, sport);
    put16(tcp + 2, dport);
    tcp[12] = (unsigned char)(hdr_words << 4);
    tcp[13] = 0x10;
    append(f, tcp, sizeof tcp);
}

static tl_tcp_spot expect_found(const frame *f, size_t reported, size_t from)
{
    tl_tcp_spot spot;
    memset(&spot, 0xee, sizeof spot);
    g_assert_true(tl_find_tcp(f->b, f->len, reported, from, SPORT, DPORT, &spot));
    return spot;
}

static void expect_missing(const frame *f, size_t reported)
{
    tl_tcp_spot spot;
    g_assert_false(tl_find_tcp(f->b, f->len, reported, 0, SPORT, DPORT, &spot));
}

static void test_ethernet_ipv4(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 20 + 20 + 5, 6, 0x4000);    /* DF set, 5 bytes of payload */
    append_tcp(&f, SPORT, DPORT, 5);
    append(&f, "hello", 5);
    if (f.len < 60)
        append_zeros(&f, 60 - f.len);   /* Ethernet padding is no payload */
    tl_tcp_spot spot = expect_found(&f, f.len, 0);
    g_assert_cmpuint(spot.tcp_off, ==, 34);
    g_assert_cmpuint(spot.seg_end, ==, 34 + 20 + 5);
    g_assert_cmpuint(spot.addr_off, ==, 26);
    g_assert_cmpuint(spot.addr_len, ==, 4);
}

static void test_vlan_ipv4_options(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x8100);
    append(&f, "\x00\x64\x08\x00", 4);
    append_ipv4(&f, 24, 24 + 20, 6, 0);
    append_tcp(&f, SPORT, DPORT, 5);
    tl_tcp_spot spot = expect_found(&f, f.len, 0);
    g_assert_cmpuint(spot.tcp_off, ==, 18 + 24);
    g_assert_cmpuint(spot.seg_end, ==, f.len);
}

/* Total length 0 is TSO: the frame's length on the wire counts, even past the snap length. */
static void test_tso_zero_length(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 0, 6, 0);
    append_tcp(&f, SPORT, DPORT, 5);
    tl_tcp_spot spot = expect_found(&f, 14 + 20 + 20 + 9000, 0);
    g_assert_cmpuint(spot.seg_end - spot.tcp_off, ==, 20 + 9000);
}

/* A total length past the wire length is cut to it, as Wireshark cuts it. */
static void test_length_beyond_frame(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 1500, 6, 0);
    append_tcp(&f, SPORT, DPORT, 5);
    append_zeros(&f, 10);
    tl_tcp_spot spot = expect_found(&f, f.len, 0);
    g_assert_cmpuint(spot.seg_end, ==, f.len);
}

static void test_bogus_ipv4_length(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 12, 6, 0);      /* shorter than its own header */
    append_tcp(&f, SPORT, DPORT, 5);
    expect_missing(&f, f.len);
}

/* A later fragment carries no TCP header; reassembled, TCP lies elsewhere. */
static void test_ipv4_fragment(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 40, 6, 0x0010);     /* offset 16 words */
    append_tcp(&f, SPORT, DPORT, 5);
    expect_missing(&f, f.len);
}

static void test_wrong_ports(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 40, 6, 0);
    append_tcp(&f, DPORT, SPORT, 5);    /* the other direction */
    expect_missing(&f, f.len);
}

static void test_not_tcp(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 40, 17, 0);     /* UDP with the same first bytes */
    append_tcp(&f, SPORT, DPORT, 5);
    expect_missing(&f, f.len);
}

static void test_ipv6_extension_headers(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x86dd);
    append_ipv6(&f, 8 + 16 + 8 + 20 + 3, 0);    /* hop-by-hop, routing, atomic fragment, TCP */
    append_ext(&f, 43, 8);
    append_ext(&f, 44, 16);
    append(&f, "\x06\x00\x00\x00\x00\x00\x00\x01", 8);  /* fragment: offset 0, M=0 */
    append_tcp(&f, SPORT, DPORT, 5);
    append(&f, "abc", 3);
    tl_tcp_spot spot = expect_found(&f, f.len, 0);
    g_assert_cmpuint(spot.tcp_off, ==, 14 + 40 + 32);
    g_assert_cmpuint(spot.seg_end - spot.tcp_off, ==, 23);
    g_assert_cmpuint(spot.addr_off, ==, 14 + 8);
    g_assert_cmpuint(spot.addr_len, ==, 16);
}

/* A zero payload length (TSO, jumbogram): the wire length counts. */
static void test_ipv6_zero_payload_length(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x86dd);
    append_ipv6(&f, 0, 6);
    append_tcp(&f, SPORT, DPORT, 5);
    tl_tcp_spot spot = expect_found(&f, f.len + 3000, 0);
    g_assert_cmpuint(spot.seg_end - spot.tcp_off, ==, 20 + 3000);
}

static void test_ipv6_real_fragment(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x86dd);
    append_ipv6(&f, 8 + 20, 44);
    append(&f, "\x06\x00\x00\x01\x00\x00\x00\x01", 8);  /* M=1: reassembled elsewhere */
    append_tcp(&f, SPORT, DPORT, 5);
    expect_missing(&f, f.len);
}

/* IPv4 in IPv4 (protocol 4): the inner header carries the TCP. */
static void test_tunnel_inner_header(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 60, 4, 0);
    append_ipv4(&f, 20, 40, 6, 0);
    append_tcp(&f, SPORT, DPORT, 5);
    tl_tcp_spot spot = expect_found(&f, f.len, 0);
    g_assert_cmpuint(spot.tcp_off, ==, 54);
    g_assert_cmpuint(spot.addr_off, ==, 34 + 12);
}

/* The search resumes behind an outer TCP header, for a TCP layer inside it. */
static void test_search_resumes(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x0800);
    append_ipv4(&f, 20, 80, 6, 0);
    append_tcp(&f, SPORT, DPORT, 5);
    append_ipv4(&f, 20, 40, 6, 0);
    append_tcp(&f, SPORT, DPORT, 5);
    g_assert_cmpuint(expect_found(&f, f.len, 0).tcp_off, ==, 34);
    g_assert_cmpuint(expect_found(&f, f.len, 38).tcp_off, ==, 74);
}

/* Every cut of a frame: found only once the ports are captured, never out of bounds. */
static void test_every_snap_length(void)
{
    frame f = { .len = 0 };
    append_ethernet(&f, 0x86dd);
    append_ipv6(&f, 8 + 20, 60);
    append_ext(&f, 6, 8);
    append_tcp(&f, SPORT, DPORT, 5);
    size_t tcp_off = 14 + 40 + 8;
    for (size_t cut = 0; cut <= f.len; cut++) {
        tl_tcp_spot spot;
        bool found = tl_find_tcp(f.b, cut, f.len, 0, SPORT, DPORT, &spot);
        g_assert_cmpint(found, ==, cut >= tcp_off + 4);
        if (found)
            g_assert_cmpuint(spot.seg_end, ==, f.len);
    }
}

/* A reassembled datagram: the TCP header first, the segment to the reported end. */
static void test_at_start(void)
{
    frame f = { .len = 0 };
    append_tcp(&f, SPORT, DPORT, 5);
    append(&f, "abc", 3);
    tl_tcp_spot spot;
    g_assert_true(tl_tcp_at_start(f.b, f.len, f.len, SPORT, DPORT, &spot));
    g_assert_cmpuint(spot.tcp_off, ==, 0);
    g_assert_cmpuint(spot.seg_end, ==, 23);
    g_assert_cmpuint(spot.addr_len, ==, 0);
    g_assert_false(tl_tcp_at_start(f.b, f.len, f.len, DPORT, SPORT, &spot));
    g_assert_false(tl_tcp_at_start(f.b, 3, f.len, SPORT, DPORT, &spot));
}

/* The 8-byte ICMP header in front of a quoted IP header: type and code of an
 * error that quotes a datagram, nothing for any other type or without room. */
static void test_icmp_error_before(void)
{
    unsigned char b[40] = { 0 };
    uint8_t type = 0, code = 0;
    b[8] = 3;           /* ICMP destination unreachable, port unreachable */
    b[9] = 3;
    g_assert_true(tl_icmp_error_before(b, 16, false, &type, &code));
    g_assert_cmpuint(type, ==, 3);
    g_assert_cmpuint(code, ==, 3);
    for (unsigned t = 0; t < 256; t++) {
        b[8] = (unsigned char)t;
        gboolean v4_error = t == 3 || t == 4 || t == 11 || t == 12;
        gboolean v6_error = t >= 1 && t <= 4;
        g_assert_cmpint(tl_icmp_error_before(b, 16, false, &type, &code), ==, v4_error);
        g_assert_cmpint(tl_icmp_error_before(b, 16, true, &type, &code), ==, v6_error);
    }
    b[0] = 3;
    for (size_t off = 0; off < 8; off++)
        g_assert_false(tl_icmp_error_before(b, off, false, &type, &code));
    g_assert_true(tl_icmp_error_before(b, 8, false, &type, &code));
}

int main(int argc, char **argv)
{
    script_test_init(&argc, &argv);
    g_test_add_func("/locate/ethernet-ipv4", test_ethernet_ipv4);
    g_test_add_func("/locate/vlan-ipv4-options", test_vlan_ipv4_options);
    g_test_add_func("/locate/tso-zero-length", test_tso_zero_length);
    g_test_add_func("/locate/length-beyond-frame", test_length_beyond_frame);
    g_test_add_func("/locate/bogus-ipv4-length", test_bogus_ipv4_length);
    g_test_add_func("/locate/ipv4-fragment", test_ipv4_fragment);
    g_test_add_func("/locate/wrong-ports", test_wrong_ports);
    g_test_add_func("/locate/not-tcp", test_not_tcp);
    g_test_add_func("/locate/ipv6-extension-headers", test_ipv6_extension_headers);
    g_test_add_func("/locate/ipv6-zero-payload-length", test_ipv6_zero_payload_length);
    g_test_add_func("/locate/ipv6-real-fragment", test_ipv6_real_fragment);
    g_test_add_func("/locate/tunnel-inner-header", test_tunnel_inner_header);
    g_test_add_func("/locate/search-resumes", test_search_resumes);
    g_test_add_func("/locate/every-snap-length", test_every_snap_length);
    g_test_add_func("/locate/at-start", test_at_start);
    g_test_add_func("/locate/icmp-error-before", test_icmp_error_before);
    return g_test_run();
}

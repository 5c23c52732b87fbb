/* test_header.c — tl_parse_tcp_header on raw header bytes: the fixed header,
 * the SYN options (MSS, window scale, SACK permitted, timestamps), options cut
 * off by the capture and malformed option lengths (tcp_header.h). */
#include <string.h>

#include "segments.h"
#include "tcp_header.h"

#define MAX_HDR 60

/* A header from 40000 to 80, seq 0x01020304, ack 0xa0b0c0d0, SYN+ACK, window 64240, with
 * opts (padded to whole words) as its options; returns its length. */
static size_t build_header(unsigned char *hdr, const unsigned char *opts, size_t opt_len)
{
    static const unsigned char fixed[20] = {
        0x9c, 0x40, 0x00, 0x50,         /* ports 40000 -> 80 */
        0x01, 0x02, 0x03, 0x04,         /* seq */
        0xa0, 0xb0, 0xc0, 0xd0,         /* ack */
        0x00, TL_SYN | TL_ACK,          /* data offset set below */
        0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00      /* window 64240 */
    };
    size_t len = 20 + (opt_len + 3) / 4 * 4;
    g_assert_cmpuint(len, <=, MAX_HDR);
    memset(hdr, 0, MAX_HDR);
    memcpy(hdr, fixed, sizeof fixed);
    if (opt_len)
        memcpy(hdr + 20, opts, opt_len);
    hdr[12] = (unsigned char)(len / 4 << 4);
    return len;
}

/* A segment full of leftovers, so the tests see what the parser resets. */
static tl_segment stale_segment(void)
{
    tl_segment seg;
    memset(&seg, 0x5a, sizeof seg);
    return seg;
}

static void assert_no_options(const tl_segment *seg)
{
    g_assert_cmpuint(seg->mss, ==, 0);
    g_assert_cmpint(seg->wscale, ==, -1);
    g_assert_false(seg->sack_perm);
    g_assert_false(seg->has_ts);
}

/* Build a header with these options and parse it: it must parse. */
static tl_segment parse_options(const unsigned char *opts, size_t n)
{
    unsigned char hdr[MAX_HDR];
    size_t len = build_header(hdr, opts, n);
    tl_segment seg = stale_segment();
    g_assert_true(tl_parse_tcp_header(hdr, len, &seg));
    return seg;
}

static void test_fixed_header(void)
{
    unsigned char hdr[MAX_HDR];
    size_t len = build_header(hdr, NULL, 0);
    tl_segment seg = stale_segment();
    g_assert_true(tl_parse_tcp_header(hdr, len, &seg));
    g_assert_cmpuint(seg.sport, ==, 40000);
    g_assert_cmpuint(seg.dport, ==, 80);
    g_assert_cmphex(seg.seq, ==, 0x01020304);
    g_assert_cmphex(seg.ack, ==, 0xa0b0c0d0);
    g_assert_cmphex(seg.flags, ==, TL_SYN | TL_ACK);
    g_assert_cmpuint(seg.win, ==, 64240);
    assert_no_options(&seg);
}

static void test_syn_options(void)
{
    static const unsigned char opts[] = {
        2, 4, 0x05, 0xb4,               /* MSS 1460 */
        1, 3, 3, 7,                     /* NOP, WS 7 */
        4, 2,                           /* SACK permitted */
        8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78  /* TS */
    };
    tl_segment seg = parse_options(opts, sizeof opts);
    g_assert_cmpuint(seg.mss, ==, 1460);
    g_assert_cmpint(seg.wscale, ==, 7);
    g_assert_true(seg.sack_perm);
    g_assert_true(seg.has_ts);
    g_assert_cmphex(seg.tsval, ==, 0x1234);
    g_assert_cmphex(seg.tsecr, ==, 0x5678);
}

/* RFC 7323: a shift above 14 is used as 14. */
static void test_wscale_capped(void)
{
    static const unsigned char opts[] = { 3, 3, 20 };
    tl_segment seg = parse_options(opts, sizeof opts);
    g_assert_cmpint(seg.wscale, ==, 14);
}

/* The snap length cut the timestamp: what came before it still counts. */
static void test_options_cut_by_capture(void)
{
    static const unsigned char opts[] = {
        2, 4, 0x05, 0xb4, 1, 3, 3, 7,
        8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78
    };
    unsigned char hdr[MAX_HDR];
    build_header(hdr, opts, sizeof opts);
    tl_segment seg = stale_segment();
    g_assert_true(tl_parse_tcp_header(hdr, 20 + 8 + 4, &seg));
    g_assert_cmpuint(seg.mss, ==, 1460);
    g_assert_cmpint(seg.wscale, ==, 7);
    g_assert_false(seg.has_ts);
}

/* A length below 2 cannot be skipped: parsing stops, keeping what was read. */
static void check_bad_length(unsigned char bad_len)
{
    const unsigned char opts[] = { 2, 4, 0x05, 0xb4, 8, bad_len, 3, 3, 7 };
    tl_segment seg = parse_options(opts, sizeof opts);
    g_assert_cmpuint(seg.mss, ==, 1460);
    g_assert_false(seg.has_ts);
}

static void test_option_length_zero(void)
{
    check_bad_length(0);
}

static void test_option_length_one(void)
{
    check_bad_length(1);
}

/* A timestamp claiming 10 bytes where the header has 8 left is not read. */
static void test_option_overruns_header(void)
{
    static const unsigned char opts[] = { 2, 4, 0x05, 0xb4, 8, 10, 0, 0, 0x12, 0x34, 0, 0 };
    tl_segment seg = parse_options(opts, sizeof opts);
    g_assert_cmpuint(seg.mss, ==, 1460);
    g_assert_false(seg.has_ts);
}

/* A known kind with the wrong length is skipped, not misread. */
static void test_option_wrong_length_skipped(void)
{
    static const unsigned char opts[] = { 2, 3, 0x05, 4, 2 };
    tl_segment seg = parse_options(opts, sizeof opts);
    g_assert_cmpuint(seg.mss, ==, 0);
    g_assert_true(seg.sack_perm);
}

static void test_eol_ends_options(void)
{
    static const unsigned char opts[] = { 0, 2, 4, 0x05, 0xb4 };
    tl_segment seg = parse_options(opts, sizeof opts);
    assert_no_options(&seg);
}

/* A data offset below 5 leaves no room for options. */
static void test_data_offset_too_small(void)
{
    static const unsigned char opts[] = { 2, 4, 0x05, 0xb4 };
    unsigned char hdr[MAX_HDR];
    size_t len = build_header(hdr, opts, sizeof opts);
    hdr[12] = 4 << 4;
    tl_segment seg = stale_segment();
    g_assert_true(tl_parse_tcp_header(hdr, len, &seg));
    assert_no_options(&seg);
}

static void test_short_capture(void)
{
    unsigned char hdr[MAX_HDR];
    build_header(hdr, NULL, 0);
    tl_segment seg = stale_segment();
    g_assert_false(tl_parse_tcp_header(hdr, 19, &seg));
    g_assert_false(tl_parse_tcp_header(hdr, 0, &seg));
}

int main(int argc, char **argv)
{
    script_test_init(&argc, &argv);
    g_test_add_func("/header/fixed", test_fixed_header);
    g_test_add_func("/header/syn-options", test_syn_options);
    g_test_add_func("/header/wscale-capped", test_wscale_capped);
    g_test_add_func("/header/options-cut-by-capture", test_options_cut_by_capture);
    g_test_add_func("/header/option-length-zero", test_option_length_zero);
    g_test_add_func("/header/option-length-one", test_option_length_one);
    g_test_add_func("/header/option-overruns-header", test_option_overruns_header);
    g_test_add_func("/header/option-wrong-length-skipped", test_option_wrong_length_skipped);
    g_test_add_func("/header/eol-ends-options", test_eol_ends_options);
    g_test_add_func("/header/data-offset-too-small", test_data_offset_too_small);
    g_test_add_func("/header/short-capture", test_short_capture);
    return g_test_run();
}

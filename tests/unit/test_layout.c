/* test_layout.c — per-connection memory of the engine: the glue keeps one
 * tl_conn (inside its 248-byte conn_rec) and about six tl_verdict copies per
 * connection for the whole capture, so their sizes are bounded here; and the
 * verdict's bit-fields hold what the engine puts in them. */
#include "segments.h"

#define CONN_MAX    232     /* + the glue's 16 bytes = a 248-byte conn_rec */
#define END_MAX     64
#define VERDICT_MAX 40

static void check_size(const char *type, size_t size, size_t max)
{
    if (size <= max)
        return;
    g_printerr("sizeof(%s) is %zu bytes, above its bound of %zu: it is kept per connection or per lifecycle "
               "packet for the whole capture; pack the new field (bit-field, derive it, or share space) "
               "or raise the bound on purpose\n", type, size, max);
    g_test_fail();
}

static void test_conn_size(void)
{
    check_size("tl_conn", sizeof(tl_conn), CONN_MAX);
    check_size("tl_end", sizeof(tl_end), END_MAX);
}

static void test_verdict_size(void)
{
    check_size("tl_verdict", sizeof(tl_verdict), VERDICT_MAX);
}

/* The largest id a caller may give comes back whole in every verdict. */
static void test_conn_id_bits(void)
{
    uint32_t id = (1u << TL_CONN_ID_BITS) - 1;
    tl_conn conn;
    tl_verdict v;
    tl_conn_init(&conn, id);
    tl_segment syn;
    memset(&syn, 0, sizeof syn);
    syn.ts = START_TS;
    syn.frame = 1;
    syn.flags = TL_SYN | TL_FIN | TL_URG | TL_PSH | TL_ECE | TL_CWR;
    syn.sport = CLIENT_PORT;
    syn.dport = SERVER_PORT;
    syn.wscale = -1;
    syn.from_a = true;
    tl_conn_step(&conn, &syn, &v, NULL);
    g_assert_cmpuint(v.conn_id, ==, id);
    g_assert_cmphex(v.flags, ==, syn.flags);
    assert_finding(&v, TL_FIND_BAD_FLAGS);
}

int main(int argc, char **argv)
{
    script_test_init(&argc, &argv);
    g_test_add_func("/layout/conn-size", test_conn_size);
    g_test_add_func("/layout/verdict-size", test_verdict_size);
    g_test_add_func("/layout/conn-id-bits", test_conn_id_bits);
    return g_test_run();
}

/* tcp_locate.h — find a TCP header behind its IPv4 or IPv6 header in raw bytes.
 *
 * Wireshark's TCP dissector leaves each layer's ports in the packet's proto
 * data but not where the header sits. Asking for TCP fields instead would make
 * tshark build every dissector's tree on every packet, which costs more than
 * the whole analysis; so the glue finds the header itself: an IP header whose
 * payload is TCP with exactly those ports. Pure C11, unit-tested and fuzzed
 * without Wireshark.
 */
#ifndef TCPLIFE_TCP_LOCATE_H
#define TCPLIFE_TCP_LOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t  tcp_off;        /* first byte of the TCP header */
    size_t  seg_end;        /* one past the segment's last byte, as the IP length says
                               (bounded by the reported length, as Wireshark bounds it) */
    size_t  addr_off;       /* the IP source address; the destination follows it */
    uint8_t addr_len;       /* 4 (IPv4) or 16 (IPv6) */
} tl_tcp_spot;

/* Search buf from offset `from` for the first IPv4/IPv6 header that carries an
 * unfragmented TCP header (or a first fragment, which only appears here when
 * reassembly is off) with ports sport -> dport. captured: bytes present in buf;
 * reported: the length on the wire. IPv6 extension headers are walked. A zero
 * IP length is taken as TCP segmentation offload (or an IPv6 jumbogram): the
 * frame's length counts, as in Wireshark. */
bool tl_find_tcp(const unsigned char *buf, size_t captured, size_t reported, size_t from,
                 uint16_t sport, uint16_t dport, tl_tcp_spot *spot);

/* The same for a buffer that starts with the TCP header: a datagram Wireshark
 * reassembled from fragments, or decrypted, is a data source of its own. The
 * segment runs to the reported end; the addresses are not in buf (addr_len 0). */
bool tl_tcp_at_start(const unsigned char *buf, size_t captured, size_t reported,
                     uint16_t sport, uint16_t dport, tl_tcp_spot *spot);

/* The ICMP (v6: ICMPv6) error that quotes the IP header at ip_off in buf: its
 * type and code sit in the 8-byte ICMP header right before that IP header.
 * False when there is no room for that header, or when the type is no error
 * quoting a datagram (RFC 792: unreachable, source quench, time exceeded,
 * parameter problem; RFC 4443: unreachable, too big, time exceeded, parameter
 * problem). */
bool tl_icmp_error_before(const unsigned char *buf, size_t ip_off, bool v6, uint8_t *type, uint8_t *code);

#endif /* TCPLIFE_TCP_LOCATE_H */

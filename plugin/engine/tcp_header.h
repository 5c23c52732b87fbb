/* tcp_header.h — decode the fields tcplife needs from raw TCP header bytes.
 * Pure C11, so the decoder is unit-tested and fuzzed without Wireshark. */
#ifndef TCPLIFE_TCP_HEADER_H
#define TCPLIFE_TCP_HEADER_H

#include <stddef.h>

#include "lifecycle.h"

/* Fills ports, seq, ack, flags and the SYN-relevant options of *seg from the
 * captured bytes of a TCP header. Returns false when fewer than the 20 fixed
 * bytes were captured; options cut off by the snap length are read as far as
 * they go. Payload length, time, frame and direction are the caller's. */
bool tl_parse_tcp_header(const unsigned char *hdr, size_t captured, tl_segment *seg);

#endif /* TCPLIFE_TCP_HEADER_H */

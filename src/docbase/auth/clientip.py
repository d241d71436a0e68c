"""Who is the client: the TCP peer, or ``X-Forwarded-For`` only when the peer is a trusted proxy.

Anyone can send ``X-Forwarded-For``, so it is read only when the peer's
address is inside one of the ``trusted_proxies`` networks (CIDRs), and then
from the right: each hop a trusted proxy appended is skipped, and the first
address that is not a trusted proxy is the client. Without the setting the
peer is the client, so behind a proxy every request shares the proxy's
address, and per-client limits would then limit everyone together: set
``trusted_proxies`` when docbase runs behind one.

Limits key IPv6 clients by their /64 network, since one subscriber usually
holds a whole /64 and could otherwise rotate through addresses for free.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(text: str) -> tuple[Network, ...]:
    """``10.0.0.0/8, 192.168.1.7, fd00::/8`` as networks; raise ValueError naming an entry that is not one."""
    out = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            out.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"trusted_proxies: {entry!r} is not an IP address or CIDR network") from None
    return tuple(out)


def _address(text: str) -> Address | None:
    """An address from a header hop: ``1.2.3.4``, ``1.2.3.4:5678``, ``::1``, ``[::1]:80``; None if not one."""
    hop = text.strip()
    if hop.startswith("[") and "]" in hop:
        hop = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        return ipaddress.ip_address(hop)
    except ValueError:
        return None


def _trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """The client's address as text (``unknown`` when the server reports no peer).

    Example:
        >>> nets = parse_networks("10.0.0.0/8")
        >>> client_address("10.0.0.2", ["6.6.6.6, 203.0.113.7, 10.0.0.9"], nets)
        '203.0.113.7'
        >>> client_address("198.51.100.1", ["203.0.113.7"], nets)
        '198.51.100.1'
    """
    if not peer:
        return "unknown"
    current = _address(peer)
    if current is None or not trusted or not _trusted(current, trusted):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not _trusted(address, trusted):
            break
    return str(current)


def limit_key(address: str) -> str:
    """What rate limits count by: the address, or its /64 network for IPv6."""
    parsed = _address(address)
    if parsed is None:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)

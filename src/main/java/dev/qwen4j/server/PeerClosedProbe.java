package dev.qwen4j.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Tells whether the client of an HTTP exchange has closed its connection while the server is still
 * computing a reply it has not begun to write (a non-streaming completion).
 *
 * <p>The JDK's HTTP server stops reading a connection while its exchange runs and offers no disconnect
 * signal, and a closed peer only shows on a write, which a non-streaming reply cannot make before it
 * knows its status. The kernel knows, though: a client's FIN moves our end of the socket to CLOSE_WAIT,
 * and a reset removes it from the table. On Linux both show in {@code /proc/self/net/tcp} and
 * {@code tcp6}, found by the connection's two endpoints. Elsewhere (no such files) the probe never
 * reports a closed peer, and such requests run to their end as before.
 *
 * <p>A connection that vanished from the table counts as closed only if this probe saw it there
 * before, so an address that never matched (a proxy, a namespace we cannot see) is never taken for
 * a departed client.
 */
final class PeerClosedProbe {
    private static final Path[] TABLES = {Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6")};
    /** Kernel TCP state codes (include/net/tcp_states.h). */
    private static final String ESTABLISHED = "01";

    private final String localV4, remoteV4, localV6, remoteV6;
    private boolean seen;

    private PeerClosedProbe(InetSocketAddress local, InetSocketAddress remote) {
        localV4 = v4Entry(local);
        remoteV4 = v4Entry(remote);
        localV6 = v6Entry(local);
        remoteV6 = v6Entry(remote);
    }

    /** A probe for the connection between the server's local address and the client's remote one. */
    static PeerClosedProbe of(InetSocketAddress local, InetSocketAddress remote) {
        return new PeerClosedProbe(local, remote);
    }

    /** Whether the kernel's connection tables can be read here at all. */
    static boolean supported() {
        return Files.isReadable(TABLES[0]) || Files.isReadable(TABLES[1]);
    }

    /** True once the client has closed or reset the connection; false while it is open or when unknown. */
    boolean peerClosed() {
        String state = null;
        for (Path table : TABLES) {
            state = stateIn(table);
            if (state != null) break;
        }
        if (state == null) return seen; // gone from the table after being there: reset and torn down
        seen = true;
        return !state.equals(ESTABLISHED);
    }

    /** The state column of this connection's row in one table, or null when absent or unreadable. */
    private String stateIn(Path table) {
        boolean v6 = table.getFileName().toString().endsWith("6");
        String local = v6 ? localV6 : localV4, remote = v6 ? remoteV6 : remoteV4;
        if (local == null || remote == null || !Files.isReadable(table)) return null;
        try (BufferedReader r = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
            r.readLine(); // header
            for (String line; (line = r.readLine()) != null; ) {
                // "  sl  local_address rem_address   st ..."
                String[] f = line.trim().split("\\s+", 5);
                if (f.length >= 4 && f[1].equals(local) && f[2].equals(remote)) return f[3];
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** "ADDR:PORT" as the tcp table prints an IPv4 endpoint: the address as a host-order 32-bit word. */
    static String v4Entry(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        byte[] b = ip instanceof Inet4Address ? ip.getAddress() : ipv4Mapped(ip);
        if (b == null) return null;
        return word(b, 0) + ":" + port(a);
    }

    /** "ADDR:PORT" as tcp6 prints an endpoint: four host-order 32-bit words (IPv4 as ::ffff:a.b.c.d). */
    static String v6Entry(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        byte[] b;
        if (ip instanceof Inet6Address) {
            b = ip.getAddress();
        } else {
            b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(ip.getAddress(), 0, b, 12, 4);
        }
        return word(b, 0) + word(b, 4) + word(b, 8) + word(b, 12) + ":" + port(a);
    }

    private static byte[] ipv4Mapped(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (b.length != 16) return null;
        for (int i = 0; i < 10; i++) if (b[i] != 0) return null;
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) return null;
        return new byte[] {b[12], b[13], b[14], b[15]};
    }

    /** Four address bytes (network order) as the kernel prints the word holding them: %08X in host order. */
    private static String word(byte[] b, int off) {
        byte[] w = {b[off], b[off + 1], b[off + 2], b[off + 3]};
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) w = new byte[] {w[3], w[2], w[1], w[0]};
        return HexFormat.of().withUpperCase().formatHex(w);
    }

    private static String port(InetSocketAddress a) {
        return String.format(Locale.ROOT, "%04X", a.getPort());
    }
}

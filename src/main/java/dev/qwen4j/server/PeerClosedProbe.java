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
 * before and then missed it in three scans in a row, so an address that never matched (a proxy, a
 * namespace we cannot see) or a scan torn by other sockets closing is never taken for a departed
 * client; a table that cannot be read tells nothing. A client that half-closes its sending side after
 * the request (`nc -N`) looks the same as one that left, and is treated so (as uvicorn does).
 */
final class PeerClosedProbe {
    private static final Path[] TABLES = {Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6")};
    /** Kernel TCP state codes (include/net/tcp_states.h). */
    private static final String ESTABLISHED = "01";

    private final String localV4, remoteV4, localV6, remoteV6;
    private boolean seen;
    private int misses;
    /**
     * Scans in a row that must miss a connection seen before until it counts as reset: the kernel hands the table
     * out a page at a time, and a socket closing elsewhere in the same hash bucket between two reads can make one
     * scan skip a live row.
     */
    private static final int MISSES_FOR_RESET = 3;
    /** stateIn's answer when the table could not be read: tells nothing either way. */
    private static final String UNREADABLE = "";

    /** The kernel's tables for this process's network namespace: tcp (IPv4), then tcp6. */
    private final Path[] tables;

    private PeerClosedProbe(InetSocketAddress local, InetSocketAddress remote, Path[] tables) {
        this.tables = tables;
        localV4 = v4Entry(local);
        remoteV4 = v4Entry(remote);
        localV6 = v6Entry(local);
        remoteV6 = v6Entry(remote);
    }

    /** A probe for the connection between the server's local address and the client's remote one. */
    static PeerClosedProbe of(InetSocketAddress local, InetSocketAddress remote) {
        return new PeerClosedProbe(local, remote, TABLES);
    }

    /** A probe reading other files in the tables' format (tests): tcp, then tcp6. */
    static PeerClosedProbe reading(InetSocketAddress local, InetSocketAddress remote, Path tcp, Path tcp6) {
        return new PeerClosedProbe(local, remote, new Path[] {tcp, tcp6});
    }

    /** Whether the kernel's connection tables can be read here at all. */
    static boolean supported() {
        return Files.isReadable(TABLES[0]) || Files.isReadable(TABLES[1]);
    }

    /**
     * True once the client has closed (or half-closed: its end sent FIN, which is all the server can see) or reset
     * the connection; false while it is open or when unknown.
     */
    boolean peerClosed() {
        String state = null;
        for (int i = 0; i < tables.length; i++) {
            String s = stateIn(tables[i], i == 1);
            if (s == UNREADABLE) return false;
            if (s != null) {
                state = s;
                break;
            }
        }
        if (state == null) return seen && ++misses >= MISSES_FOR_RESET; // gone after being there: reset and torn down
        seen = true;
        misses = 0;
        return !state.equals(ESTABLISHED);
    }

    /**
     * The state column of this connection's row in one table, null when absent (or the table does not exist),
     * {@link #UNREADABLE} when reading failed. Rows are "  sl: LOCAL REMOTE ST ...", fixed-width hex columns,
     * compared in place (no per-line split: a busy host lists thousands of sockets).
     */
    private String stateIn(Path table, boolean v6) {
        String local = v6 ? localV6 : localV4, remote = v6 ? remoteV6 : remoteV4;
        if (local == null || remote == null || !Files.exists(table)) return null;
        try (BufferedReader r = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
            r.readLine(); // header
            for (String line; (line = r.readLine()) != null; ) {
                int at = line.indexOf(':') + 2; // after "sl: "
                int remoteAt = at + local.length() + 1, stateAt = remoteAt + remote.length() + 1;
                if (at >= 2 && line.length() >= stateAt + 2 && line.startsWith(local, at) && line.startsWith(remote, remoteAt)) {
                    return line.substring(stateAt, stateAt + 2);
                }
            }
        } catch (IOException | RuntimeException e) {
            return UNREADABLE;
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

package dev.qwen4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class PeerClosedProbeTest {
    @Test
    void endpointsAreWrittenAsTheKernelTablesPrintThem() throws Exception {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080);
        assertThat(PeerClosedProbe.v4Entry(a)).isEqualTo("0100007F:1F90");
        assertThat(PeerClosedProbe.v6Entry(a)).isEqualTo("0000000000000000FFFF00000100007F:1F90");
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 443);
        assertThat(PeerClosedProbe.v6Entry(v6)).isEqualTo("00000000000000000000000001000000:01BB");
        assertThat(PeerClosedProbe.v4Entry(v6)).isNull();
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByAddress(
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3}), 80);
        // Java turns ::ffff:a.b.c.d into an Inet4Address already; both forms give the same rows
        assertThat(PeerClosedProbe.v4Entry(mapped)).isEqualTo("0302010A:0050");
    }

    @Test
    void seesTheClientCloseAndResetTheConnection() throws Exception {
        assumeTrue(PeerClosedProbe.supported(), "no /proc/self/net/tcp here");
        // bound to loopback (an IPv4 socket: tcp) and to the wildcard (on Linux a dual-stack IPv6 socket, whose
        // IPv4 connections are listed in tcp6 as ::ffff:a.b.c.d)
        for (InetAddress bind : new InetAddress[] {InetAddress.getLoopbackAddress(), null}) {
            try (ServerSocket server = new ServerSocket(0, 4, bind)) {
                for (boolean reset : new boolean[] {false, true}) checkOneConnection(server, reset);
            }
        }
    }

    private static void checkOneConnection(ServerSocket server, boolean reset) throws Exception {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        try (Socket accepted = server.accept()) {
            PeerClosedProbe probe = PeerClosedProbe.of((InetSocketAddress) accepted.getLocalSocketAddress(),
                    (InetSocketAddress) accepted.getRemoteSocketAddress());
            assertThat(probe.peerClosed()).as("open connection").isFalse();
            if (reset) client.setSoLinger(true, 0); // close sends RST: the row leaves the table
            client.close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!probe.peerClosed() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(probe.peerClosed()).as(reset ? "after a reset" : "after a close").isTrue();
        }
    }

    /** The rules on tables the test writes: states, a torn scan, an unreadable table. */
    @Test
    void readsStatesAndNeedsThreeMissesForAReset(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080);
        InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 51000);
        java.nio.file.Path tcp = dir.resolve("tcp"), tcp6 = dir.resolve("tcp6");
        String header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        String other = "   0: 0100007F:1F90 0100007F:C739 01 00000000:00000000 00:00000000 00000000     0        0 1 1\n";
        String ours = "   1: 0100007F:1F90 0100007F:C738 %s 00000000:00000000 00:00000000 00000000     0        0 2 1\n";
        java.nio.file.Files.writeString(tcp6, header);
        PeerClosedProbe probe = PeerClosedProbe.reading(server, client, tcp, tcp6);
        java.nio.file.Files.writeString(tcp, header + other + ours.formatted("01"));
        assertThat(probe.peerClosed()).as("established").isFalse();
        java.nio.file.Files.writeString(tcp, header + other);
        assertThat(probe.peerClosed()).as("one scan without the row").isFalse();
        assertThat(probe.peerClosed()).as("two scans").isFalse();
        java.nio.file.Files.writeString(tcp, header + other + ours.formatted("01"));
        assertThat(probe.peerClosed()).as("back: the misses start over").isFalse();
        java.nio.file.Files.writeString(tcp, header + other);
        assertThat(probe.peerClosed()).isFalse();
        assertThat(probe.peerClosed()).isFalse();
        assertThat(probe.peerClosed()).as("three scans in a row without it: reset").isTrue();

        PeerClosedProbe finWait = PeerClosedProbe.reading(server, client, tcp, tcp6);
        java.nio.file.Files.writeString(tcp, header + ours.formatted("08"));
        assertThat(finWait.peerClosed()).as("CLOSE_WAIT: the client sent FIN").isTrue();

        PeerClosedProbe unreadable = PeerClosedProbe.reading(server, client, dir, tcp6); // a directory: reading fails
        java.nio.file.Files.writeString(tcp, header + ours.formatted("01"));
        for (int i = 0; i < 5; i++) assertThat(unreadable.peerClosed()).as("an unreadable table tells nothing").isFalse();
    }

    @Test
    void aConnectionItNeverSawIsNotTakenForClosed() throws Exception {
        assumeTrue(PeerClosedProbe.supported(), "no /proc/self/net/tcp here");
        PeerClosedProbe probe = PeerClosedProbe.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1),
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 2));
        assertThat(probe.peerClosed()).isFalse();
        assertThat(probe.peerClosed()).isFalse();
    }
}

package dev.specd.api;

import io.restassured.RestAssured;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 over a raw loopback socket, for clients that misbehave as no HTTP library lets one. */
final class RawHttp {

    private RawHttp() {
    }

    /** A connection to the test server that fails a read after {@code timeoutMillis} of silence. */
    static Socket connect(int timeoutMillis) throws IOException {
        Socket socket = new Socket("127.0.0.1", RestAssured.port);
        socket.setSoTimeout(timeoutMillis);
        return socket;
    }

    /** The head of a JSON POST that announces {@code length} body bytes. */
    static String postHead(String path, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
    }

    static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Everything until the server closes the connection (or stays silent for the socket's timeout). */
    static String readAll(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) response.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
            if (response.size() == 0) throw e;
        }
        return response.toString(StandardCharsets.UTF_8);
    }

    /**
     * One response on a connection that may stay open: its head, then as many body bytes as its
     * Content-Length says (or, without one, everything until the server closes).
     */
    static String readResponse(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
        }
        String headText = head.toString(StandardCharsets.ISO_8859_1);
        int length = -1;
        for (String line : headText.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        if (length < 0) return headText + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return headText + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** The body of a response read by {@link #readAll} or {@link #readResponse}. */
    static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
}

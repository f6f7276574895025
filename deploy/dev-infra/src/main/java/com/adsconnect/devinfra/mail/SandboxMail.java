package com.adsconnect.devinfra.mail;

import com.adsconnect.devinfra.net.TcpProxy;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A real SMTP server (GreenMail, in-process) for the local run and tests, behind a TCP proxy that
 * can cut it off (an SMTP outage) and restore it. It accepts mail for any address. Received mail
 * can be read from code ({@link #received}) and, in the local run, in a browser: a small mailbox
 * page lists every message and shows each one's HTML or text part.
 */
public final class SandboxMail implements AutoCloseable {

    private final GreenMail greenMail;
    private final TcpProxy proxy;
    private HttpServer mailbox;

    private SandboxMail(GreenMail greenMail, TcpProxy proxy) {
        this.greenMail = greenMail;
        this.proxy = proxy;
    }

    /** SMTP on an ephemeral port, reached through a proxy on {@code port} (0: any free port). */
    public static SandboxMail start(int port) {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        greenMail.start();
        int smtpPort = greenMail.getSmtp().getPort();
        TcpProxy proxy = TcpProxy.balancing(port, List.of(new InetSocketAddress("127.0.0.1", smtpPort)));
        return new SandboxMail(greenMail, proxy);
    }

    public String host() {
        return proxy.host();
    }

    /** The SMTP port services send to (the proxy's). */
    public int port() {
        return proxy.port();
    }

    /** The {@code spring.mail.*} settings that point a service here. */
    public java.util.Map<String, String> springProperties() {
        return java.util.Map.of("spring.mail.host", host(), "spring.mail.port", String.valueOf(port()));
    }

    /** Every message received so far, oldest first. */
    public List<MimeMessage> received() {
        return Arrays.asList(greenMail.getReceivedMessages());
    }

    /** The messages received for one address, oldest first. */
    public List<MimeMessage> receivedFor(String address) {
        return received().stream().filter(message -> {
            try {
                Address[] to = message.getAllRecipients();
                return to != null && Arrays.stream(to).anyMatch(recipient -> recipient.toString().contains(address));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /** Forgets every message received. */
    public void reset() {
        try {
            greenMail.purgeEmailFromAllMailboxes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An outage: connections are refused or reset until {@link #restore}. */
    public void cut() {
        proxy.cut();
    }

    public void restore() {
        proxy.restore();
    }

    /** The text of a message's part of this type ({@code text/plain}, {@code text/html}), or null. */
    public static String part(Part message, String type) {
        try {
            if (message.isMimeType(type)) {
                return (String) message.getContent();
            }
            if (message.getContent() instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart bodyPart = multipart.getBodyPart(i);
                    String found = part(bodyPart, type);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Serves the mailbox page on the port (local run); returns its address. */
    public String serveMailbox(int httpPort) {
        try {
            mailbox = HttpServer.create(new InetSocketAddress("127.0.0.1", httpPort), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve the mailbox page on port " + httpPort, e);
        }
        mailbox.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sandbox-mailbox");
            thread.setDaemon(true);
            return thread;
        }));
        mailbox.createContext("/", this::page);
        mailbox.start();
        return "http://127.0.0.1:" + mailbox.getAddress().getPort() + "/";
    }

    private void page(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        List<MimeMessage> messages = received();
        String body;
        String type = "text/html; charset=utf-8";
        try {
            if (path.startsWith("/messages/")) {
                int index = Integer.parseInt(path.substring("/messages/".length()));
                MimeMessage message = messages.get(index);
                String html = part(message, "text/html");
                if (html != null) {
                    body = html;
                } else {
                    body = part(message, "text/plain");
                    type = "text/plain; charset=utf-8";
                }
            } else {
                StringBuilder list = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sandbox mailbox</title>"
                        + "</head><body style=\"font-family: sans-serif\"><h1>Sandbox mailbox</h1><p>" + messages.size()
                        + " messages (newest first)</p><table cellpadding=\"6\"><tr><th>Received</th><th>To</th><th>Subject</th></tr>");
                for (int i = messages.size() - 1; i >= 0; i--) {
                    MimeMessage message = messages.get(i);
                    list.append("<tr><td>").append(escape(String.valueOf(message.getReceivedDate()))).append("</td><td>")
                            .append(escape(Arrays.toString(message.getAllRecipients()))).append("</td><td><a href=\"/messages/")
                            .append(i).append("\">").append(escape(message.getSubject())).append("</a></td></tr>");
                }
                body = list.append("</table></body></html>").toString();
            }
        } catch (MessagingException | RuntimeException e) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void close() {
        if (mailbox != null) {
            mailbox.stop(0);
        }
        proxy.close();
        greenMail.stop();
    }
}

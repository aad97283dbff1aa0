// Sslv2HelloClient — an SMTP client on Java's own TLS stack (JSSE) that sends its
// ClientHello in the SSL 2.0 form (RFC 5246 Appendix E.2), as Java 6 and 7 clients did
// by default and Java still does when "SSLv2Hello" is among the enabled protocols.
// EHLO, STARTTLS, the TLS handshake (TLS 1.2 offered), EHLO again inside TLS, QUIT.
// It trusts any server certificate: the capture is about what the server sent, which
// smtptap judges itself.
//   usage: java -cp DIR Sslv2HelloClient HOST PORT
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.*;

public class Sslv2HelloClient {
    static String reply(BufferedReader in) throws IOException {
        String line, last = null;
        while ((line = in.readLine()) != null) {
            System.out.println("S: " + line);
            last = line;
            if (line.length() < 4 || line.charAt(3) != '-') break;
        }
        return last;
    }

    static void send(Writer out, String cmd) throws IOException {
        System.out.println("C: " + cmd);
        out.write(cmd + "\r\n");
        out.flush();
    }

    public static void main(String[] a) throws Exception {
        String host = a[0];
        int port = Integer.parseInt(a[1]);
        Socket s = new Socket(host, port);
        s.setSoTimeout(10000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.ISO_8859_1);
        reply(in);
        send(out, "EHLO java-client.example.test");
        reply(in);
        send(out, "STARTTLS");
        String r = reply(in);
        if (r == null || !r.startsWith("220")) { s.close(); return; }
        TrustManager[] any = {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String t) {}
            public void checkServerTrusted(X509Certificate[] c, String t) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }};
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, any, null);
        SSLSocket t = (SSLSocket) ctx.getSocketFactory().createSocket(s, host, port, true);
        t.setEnabledProtocols(new String[] {"SSLv2Hello", "TLSv1.2"});
        try {
            t.startHandshake();
            System.out.println("TLS ok: " + t.getSession().getProtocol() + " " + t.getSession().getCipherSuite());
        } catch (IOException e) {
            System.out.println("TLS failed: " + e);
            t.close();
            return;
        }
        in = new BufferedReader(new InputStreamReader(t.getInputStream(), StandardCharsets.ISO_8859_1));
        out = new OutputStreamWriter(t.getOutputStream(), StandardCharsets.ISO_8859_1);
        send(out, "EHLO java-client.example.test");
        reply(in);
        send(out, "QUIT");
        reply(in);
        t.close();
    }
}

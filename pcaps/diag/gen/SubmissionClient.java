// SubmissionClient — a mail client submitting on port 587 (RFC 6409) over Java's own TLS
// stack (JSSE, OpenJDK 17), as mail apps on phones and desktop clients built on Java do:
// EHLO, STARTTLS (RFC 3207), the TLS handshake with SNI, and, when the server's certificate
// is trusted, EHLO again inside TLS, AUTH PLAIN (RFC 4616) with the account given, one
// message, QUIT. Without --trust it trusts what the JDK trusts (its cacerts): a self-signed
// certificate fails PKIX path building and JSSE sends the fatal alert certificate_unknown (46),
// what a user sees as a certificate prompt or an error. With --trust PEM it trusts exactly
// that certificate, as a client does once its user has accepted the prompt (no name check:
// the SSLSocket has no endpoint identification set).
//   usage: java -cp DIR SubmissionClient HOST PORT SNI [--trust PEM] [--auth USER PASSWORD]
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.*;

public class SubmissionClient {
    static String reply(BufferedReader in) throws IOException {
        String line, last = null;
        for (int i = 0; i < 100 && (line = in.readLine()) != null; i++) {
            System.out.println("S: " + line);
            last = line;
            if (line.length() < 4 || line.charAt(3) != '-') break;
        }
        return last;
    }

    static void send(Writer out, String cmd, String shown) throws IOException {
        System.out.println("C: " + shown);
        out.write(cmd + "\r\n");
        out.flush();
    }

    static void send(Writer out, String cmd) throws IOException { send(out, cmd, cmd); }

    public static void main(String[] a) throws Exception {
        String host = a[0], sni = a[2], trust = null, user = null, pass = null;
        int port = Integer.parseInt(a[1]);
        for (int i = 3; i < a.length; i++) {
            if (a[i].equals("--trust")) trust = a[++i];
            else if (a[i].equals("--auth")) { user = a[++i]; pass = a[++i]; }
        }
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
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (trust == null) {
            tmf.init((KeyStore) null); // the JDK's own trust store
        } else {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream f = new FileInputStream(trust)) {
                ks.setCertificateEntry("accepted", CertificateFactory.getInstance("X.509").generateCertificate(f));
            }
            tmf.init(ks);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLSocket t = (SSLSocket) ctx.getSocketFactory().createSocket(s, host, port, true);
        SSLParameters p = t.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        t.setSSLParameters(p);
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
        if (user != null) {
            String plain = "\0" + user + "\0" + pass;
            String b64 = Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
            send(out, "AUTH PLAIN " + b64, "AUTH PLAIN (credentials)");
            r = reply(in);
            if (r != null && r.startsWith("235")) {
                send(out, "MAIL FROM:<" + user + ">");
                reply(in);
                send(out, "RCPT TO:<friend@example.net>");
                reply(in);
                send(out, "DATA");
                reply(in);
                send(out, "Subject: smtptap submission test\r\n\r\nsent over TLS after AUTH\r\n.");
                reply(in);
            }
        }
        send(out, "QUIT");
        reply(in);
        t.close();
    }
}

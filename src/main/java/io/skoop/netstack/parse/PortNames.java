package io.skoop.netstack.parse;

import java.util.Map;
import java.util.Optional;

/**
 * Port names as {@code getservbyport(3)} gives them from /etc/services (Debian's netbase, the IANA names), for
 * tools that print names unless told {@code -n}: {@code ipvsadm -S} writes {@code 10.96.0.10:domain}. Only the names
 * a Kubernetes node's services commonly show; the numbers are the IANA assignments.
 */
final class PortNames {
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("tcpmux", 1), Map.entry("echo", 7), Map.entry("discard", 9), Map.entry("daytime", 13), Map.entry("ftp-data", 20),
            Map.entry("ftp", 21), Map.entry("ssh", 22), Map.entry("telnet", 23), Map.entry("smtp", 25), Map.entry("time", 37),
            Map.entry("whois", 43), Map.entry("tacacs", 49), Map.entry("domain", 53), Map.entry("bootps", 67), Map.entry("bootpc", 68),
            Map.entry("tftp", 69), Map.entry("gopher", 70), Map.entry("finger", 79), Map.entry("http", 80), Map.entry("kerberos", 88),
            Map.entry("pop3", 110), Map.entry("sunrpc", 111), Map.entry("auth", 113), Map.entry("nntp", 119), Map.entry("ntp", 123),
            Map.entry("epmap", 135), Map.entry("netbios-ns", 137), Map.entry("netbios-dgm", 138), Map.entry("netbios-ssn", 139),
            Map.entry("imap2", 143), Map.entry("snmp", 161), Map.entry("snmp-trap", 162), Map.entry("bgp", 179), Map.entry("irc", 194),
            Map.entry("ldap", 389), Map.entry("https", 443), Map.entry("microsoft-ds", 445), Map.entry("kpasswd", 464),
            Map.entry("submissions", 465), Map.entry("syslog", 514), Map.entry("printer", 515), Map.entry("submission", 587),
            Map.entry("ldaps", 636), Map.entry("domain-s", 853), Map.entry("rsync", 873), Map.entry("imaps", 993), Map.entry("pop3s", 995),
            Map.entry("socks", 1080), Map.entry("openvpn", 1194), Map.entry("ms-sql-s", 1433), Map.entry("nfs", 2049),
            Map.entry("etcd-client", 2379), Map.entry("etcd-server", 2380), Map.entry("iscsi-target", 3260), Map.entry("mysql", 3306),
            Map.entry("svn", 3690), Map.entry("sieve", 4190), Map.entry("xmpp-client", 5222), Map.entry("mdns", 5353),
            Map.entry("postgresql", 5432), Map.entry("amqp", 5672), Map.entry("x11", 6000), Map.entry("redis", 6379),
            Map.entry("http-alt", 8080), Map.entry("webcache", 8080), Map.entry("puppet", 8140), Map.entry("git", 9418),
            Map.entry("zabbix-agent", 10050), Map.entry("zabbix-trapper", 10051));

    private PortNames() {
    }

    /** The number of a port name, if this table knows it. */
    static Optional<Integer> number(String name) {
        return Optional.ofNullable(NUMBERS.get(name));
    }
}

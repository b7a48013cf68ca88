package io.skoop.scripts

import com.fasterxml.jackson.databind.ObjectMapper
import io.skoop.model.Ip
import io.skoop.model.Protocol
import io.skoop.netstack.DumpMeta
import io.skoop.netstack.ipset.Direction
import io.skoop.netstack.ipset.Membership
import io.skoop.netstack.ipset.SetProbe
import io.skoop.netstack.neigh.NeighState
import io.skoop.netstack.parse.DumpMetaParser
import io.skoop.netstack.parse.FdbParser
import io.skoop.netstack.parse.IpsetParser
import io.skoop.netstack.parse.NeighParser
import io.skoop.netstack.parse.SocketParser
import io.skoop.netstack.parse.SysctlParser
import io.skoop.model.Packet
import io.skoop.netstack.DumpFixtures
import io.skoop.testsupport.KernelLab
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * scripts/collect-netns.sh run for real: inside KernelLab namespaces (every file written and
 * parsed, per-netns sysctls), with a PATH lacking tools (recorded as missing, exit 0), and with
 * an output directory that cannot be written (non-zero).
 */
@IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2')
class CollectNetnsSpec extends Specification {
    static final List<String> FILES = ['link.json', 'addr.json', 'route.json', 'route6.json', 'rule.json', 'rule6.json',
                                       'neigh.json', 'neigh-proxy.json', 'fdb.json', 'iptables.txt', 'ip6tables.txt', 'nft.json', 'ipset.txt',
                                       'ipvs.txt', 'sockets.txt', 'sysctl.txt']
    static final Path SCRIPT = Path.of('scripts/collect-netns.sh').toAbsolutePath()

    @Shared KernelLab lab = new KernelLab()
    @Shared String a, b
    @Shared Process listener
    @TempDir Path tmp

    def setupSpec() {
        a = lab.netns('a')
        b = lab.netns('b')
        KernelLab.sh('ip', '-n', a, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', b)
        lab.exec(a, 'ip', 'addr', 'add', '10.1.0.1/24', 'dev', 'eth0')
        lab.exec(b, 'ip', 'addr', 'add', '10.1.0.2/24', 'dev', 'eth0')
        lab.exec(a, 'ip', 'link', 'set', 'eth0', 'up')
        lab.exec(b, 'ip', 'link', 'set', 'eth0', 'up')
        lab.exec(a, 'ip', 'neigh', 'add', '10.1.0.9', 'lladdr', '02:00:00:00:01:09', 'dev', 'eth0', 'nud', 'permanent')
        lab.exec(a, 'ip', '-6', 'neigh', 'add', 'proxy', 'fd00:1::9', 'dev', 'eth0')
        lab.exec(a, 'ip', 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '7', 'dstport', '4789', 'local', '10.1.0.1', 'dev', 'eth0')
        lab.exec(a, 'bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', '192.0.2.10')
        lab.exec(a, 'ipset', 'create', 'pods', 'hash:net')
        lab.exec(a, 'ipset', 'add', 'pods', '10.244.0.0/16')
        lab.exec(a, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
        lab.exec(b, 'sysctl', '-qw', 'net.ipv4.ip_forward=0')
        listener = new ProcessBuilder('ip', 'netns', 'exec', a, 'timeout', '60', 'socat', 'TCP4-LISTEN:8080,bind=10.1.0.1,reuseaddr', '/dev/null')
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        for (int i = 0; i < 50 && !DumpFixtures.netnsOut(a, 'ss', '-H', '-t', '-l', '-n').contains(':8080'); i++) {
            Thread.sleep(100)
        }
    }

    def cleanupSpec() {
        listener?.destroy()
        listener?.waitFor(5, TimeUnit.SECONDS)
        lab.close()
    }

    /** Runs a command, returning [exit, stdout, stderr]; output goes to files so nothing races. */
    List run(List<String> cmd) {
        Path out = Files.createTempFile(tmp, 'out', '.txt'), err = Files.createTempFile(tmp, 'err', '.txt')
        def p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start()
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw new IllegalStateException("timeout: $cmd")
        }
        return [p.exitValue(), Files.readString(out), Files.readString(err)]
    }

    /** The executable {@code tool} on this JVM's PATH. */
    static Path which(String tool) {
        return System.getenv('PATH').split(':').collect { Path.of(it, tool) }.find { Files.isExecutable(it) } ?:
                { throw new IllegalStateException("$tool not on PATH") }()
    }

    def "inside a namespace every file is written, silently, and parses"() {
        given:
        Path out = tmp.resolve('a')

        when:
        def r = run(['ip', 'netns', 'exec', a, SCRIPT.toString(), out.toString()])
        def meta = DumpMetaParser.parse(out.resolve('meta.json'))

        then: 'exit 0, nothing printed'
        r[0] == 0
        r[1] == ''
        r[2] == ''

        and: 'meta.json records every file; a file exists exactly when it was collected'
        meta.format() == 1
        meta.netns() == a
        meta.kernel() == 'uname -r'.execute().text.trim()
        meta.collected()*.file() == FILES
        FILES.every { f -> Files.exists(out.resolve(f)) == meta.isCollected(f) }
        meta.collected().every { it.status() != DumpMeta.Status.MISSING }
        FILES.findAll { it != 'ipvs.txt' }.every { meta.isCollected(it) }     // ipvsadm fails without the ip_vs module
        meta.of('ipvs.txt').get().with { it.status() == DumpMeta.Status.OK || (it.status() == DumpMeta.Status.FAILED && it.exit() != 0) }
        !Files.list(out).anyMatch { it.fileName.toString().startsWith('.') }  // no temp files left

        and: 'every JSON file is JSON; the parsers of this package read theirs'
        FILES.findAll { it.endsWith('.json') && meta.isCollected(it) }.every { new ObjectMapper().readTree(out.resolve(it).toFile()) != null }
        NeighParser.parse(out.resolve('neigh.json')).lookup(Ip.parse('10.1.0.9'), 'eth0').get().has(NeighState.PERMANENT)
        NeighParser.parse(out.resolve('neigh-proxy.json')).proxies(Ip.parse('fd00:1::9'), 'eth0')
        !NeighParser.parse(out.resolve('neigh.json')).proxies(Ip.parse('fd00:1::9'), 'eth0')
        FdbParser.parse(out.resolve('fdb.json')).vxlanRemotes('vx0', '02:00:00:00:00:01') == [Ip.parse('192.0.2.10')]
        SocketParser.parse(out.resolve('sockets.txt')).listening(Ip.parse('10.1.0.1'), 8080, Protocol.TCP)*.processes().flatten()*.name() == ['socat']
        IpsetParser.parse(out.resolve('ipset.txt')).test('pods', [Direction.SRC], SetProbe.of(Packet.parse('tcp 10.244.3.3:1 > 10.1.0.1:80'))) == Membership.MATCH
        SysctlParser.parse(out.resolve('sysctl.txt')).ipForward().get()
        Files.readString(out.resolve('iptables.txt')) != null
    }

    def "sysctl -a inside a namespace shows that namespace's net.* values"() {
        when:
        def ra = run(['ip', 'netns', 'exec', a, SCRIPT.toString(), tmp.resolve('a').toString()])
        def rb = run(['ip', 'netns', 'exec', b, SCRIPT.toString(), tmp.resolve('b').toString()])

        then:
        ra[0] == 0 && rb[0] == 0
        SysctlParser.parse(tmp.resolve('a/sysctl.txt')).ipForward().get()
        !SysctlParser.parse(tmp.resolve('b/sysctl.txt')).ipForward().get()
        SysctlParser.parse(tmp.resolve('a/sysctl.txt')).asMap().containsKey('net.ipv4.conf.vx0.rp_filter')
        !SysctlParser.parse(tmp.resolve('b/sysctl.txt')).asMap().containsKey('net.ipv4.conf.vx0.rp_filter')
    }

    def "tools missing from PATH are recorded as missing and the script still exits 0"() {
        given: 'a PATH with only iproute2, ss, sysctl and the coreutils the script uses'
        Path bin = Files.createDirectory(tmp.resolve('bin'))
        ['ip', 'bridge', 'ss', 'sysctl', 'mkdir', 'mv', 'rm', 'uname', 'date'].each { t ->
            Files.createSymbolicLink(bin.resolve(t), which(t))
        }
        Path out = tmp.resolve('partial')

        when:
        def r = run(['ip', 'netns', 'exec', b, 'env', "PATH=$bin".toString(), '/bin/bash', SCRIPT.toString(), out.toString()])
        def meta = DumpMetaParser.parse(out.resolve('meta.json'))

        then:
        r[0] == 0
        r[2] == ''
        meta.missing()*.tool() == ['iptables-save', 'ip6tables-save', 'nft', 'ipset', 'ipvsadm']
        meta.missing().every { it.exit() == 127 && it.stderr() == it.tool() + ': command not found' && !Files.exists(out.resolve(it.file())) }
        ['link.json', 'neigh.json', 'fdb.json', 'sockets.txt', 'sysctl.txt'].every { meta.isCollected(it) && Files.exists(out.resolve(it)) }
    }

    def "started with sh (dash) it re-runs itself under bash"() {
        when:
        def r = run(['ip', 'netns', 'exec', b, 'sh', SCRIPT.toString(), tmp.resolve('dash').toString()])

        then:
        r[0] == 0
        r[2] == ''
        DumpMetaParser.parse(tmp.resolve('dash/meta.json')).isCollected('sysctl.txt')
    }

    def "an output directory that cannot be written fails with a message; no argument is a usage error"() {
        given:
        Path file = Files.writeString(tmp.resolve('plain-file'), 'x')

        when:
        def bad = run(['ip', 'netns', 'exec', b, SCRIPT.toString(), file.resolve('sub').toString()])
        def usage = run(['ip', 'netns', 'exec', b, SCRIPT.toString()])

        then:
        bad[0] == 1
        bad[2].contains('cannot write')
        usage[0] == 64
        usage[2].contains('usage')
    }
}

package io.skoop.netstack

import io.skoop.cli.SkoopCommand
import io.skoop.netstack.netfilter.Match
import io.skoop.netstack.netfilter.NftRuleset
import io.skoop.netstack.netfilter.NftStmt
import io.skoop.netstack.netfilter.Ruleset
import io.skoop.netstack.netfilter.Target
import io.skoop.netstack.netfilter.kernel.NetfilterLab
import io.skoop.netstack.parse.IpsetParser
import io.skoop.netstack.parse.IptablesSaveParser
import io.skoop.netstack.parse.NftParser
import io.skoop.netstack.parse.ParseException
import io.skoop.testsupport.KernelLab
import spock.lang.AutoCleanup
import spock.lang.IgnoreIf
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * Real dumps nobody here wrote (src/test/resources/corpus, a copy of ../shared/corpus; that folder too when it exists,
 * so new files are picked up): iptables-save and iptables-restore outputs of Docker, netfilter's own tests,
 * kube-proxy, Calico, Antrea, Azure NPM, kube-router, Cilium, Weave, flannel, linkerd; nft rulesets; ipsets.
 * <ul>
 * <li>every file parses, or is refused with a {@link ParseException} — and (root, in CI) iptables-restore --test
 *     refuses it too, at the same line;</li>
 * <li>every iptables file traces, on a rules-only dump and in a full node dump, with exit 0, 1 or 2 — never an
 *     internal error (exit 3);</li>
 * <li>the constructs left UNKNOWN are tallied in target/corpus-tally.md (for the issue notes).</li>
 * </ul>
 */
class CorpusSpec extends Specification {
    static final List<Path> ROOTS = [Path.of('src/test/resources/corpus'), Path.of('../shared/corpus')].findAll { Files.isDirectory(it) }
    static final Path NODE = Path.of('src/main/resources/io/skoop/snapshots/flannel-vxlan/nodes/node-1/host')

    @TempDir @Shared Path tmp

    /** Corpus files by their path inside the corpus (the shared folder's copy wins). */
    static Map<String, Path> corpus() {
        Map<String, Path> out = new TreeMap<>()
        ROOTS.each { root ->
            Files.walk(root).filter { Files.isRegularFile(it) && !it.fileName.toString().endsWith('.md') }.each {
                out[root.relativize(it).toString()] = it
            }
        }
        out
    }

    static boolean rules(String name) {
        name.endsWith('.iptables') || name.endsWith('.ip6tables')
    }

    static Ruleset parseRules(String name, Path p) {
        IptablesSaveParser.parse(p.fileName.toString(), p.getText('UTF-8'), name.endsWith('.ip6tables'))
    }

    def "the corpus is there"() {
        expect:
        corpus().size() >= 70
        corpus().keySet().any { it.endsWith('.ipset') } && corpus().keySet().any { it.endsWith('.nft.json') }
    }

    def "#name parses, or is refused with a parse error naming its line"() {
        when:
        Path p = corpus()[name]
        Object parsed = rules(name) ? parseRules(name, p) : name.endsWith('.ipset') ? IpsetParser.parse(p)
                : NftParser.tables(p.toString(), p.text)

        then:
        noExceptionThrown()
        parsed != null

        where:
        name << corpus().keySet().findAll { !refused().containsKey(it) }
    }

    /** The files our parser refuses, with the line it names. */
    static Map<String, Integer> refused() {
        Map<String, Integer> out = [:]
        corpus().each { name, p ->
            if (rules(name)) {
                try {
                    parseRules(name, p)
                } catch (ParseException e) {
                    out[name] = e.line()
                }
            }
        }
        out
    }

    @IgnoreIf(value = { !KernelLab.available() }, reason = 'needs root and iproute2 (runs in CI): iptables-restore --test in a scratch namespace')
    def "#name: refused at line #line, and iptables-restore --test refuses it at the same line"() {
        given:
        KernelLab lab = new KernelLab()
        String ns = lab.netns('corpus')
        Path p = corpus()[name]
        boolean v6 = name.endsWith('.ip6tables')
        // the sets the rules name must exist, or iptables-restore stops at the first -m set instead
        (p.text =~ /--(?:match-set|add-set|del-set) (\S+)/).collect { it[1] }.unique().each {
            NetfilterLab.exec(ns, null, 'ipset', 'create', it, 'hash:ip', 'family', v6 ? 'inet6' : 'inet', '-exist')
        }

        when:
        def (int code, String out, String err) = NetfilterLab.run(ns, p.text, v6 ? 'ip6tables-restore' : 'iptables-restore', '--test')

        then:
        code != 0
        err.contains("Error occurred at line: $line") || err.contains("line $line")

        cleanup:
        lab.close()

        where:
        [name, line] << refused().collect { k, v -> [k, v] }
    }

    /**
     * Runs {@code skoop netstack trace DIR --packet P --path PATH [--iif DEV]} for {@code pk} = [packet, path, iif or
     * null]; counts its exit code into {@code exits}, and notes an internal error (exit 3, a stack trace) in {@code crashes}.
     */
    static void traceCli(Path dir, List<String> pk, Map<String, Integer> exits, List<String> crashes, String label) {
        List<String> args = ['netstack', 'trace', dir.toString(), '--packet', pk[0], '--path', pk[1]] + (pk[2] ? ['--iif', pk[2]] : [])
        def err = new StringWriter()
        def cl = SkoopCommand.commandLine()
        cl.out = new PrintWriter(new StringWriter(), true)
        cl.err = new PrintWriter(err, true)
        int code = cl.execute(args as String[])
        exits.merge("exit $code".toString(), 1, Integer::sum)
        if (code == 3 || err.toString().contains('\tat ')) {
            crashes << "$label: ${args.join(' ')}: ${err.toString().take(400)}"
        }
    }

    def "every iptables corpus file traces on a rules-only dump and in a full node dump without an internal error"() {
        when:
        Map<String, Integer> unknown = new TreeMap<>()
        Map<String, Integer> exits = new TreeMap<>()
        List<String> crashes = []
        int traced = 0
        corpus().findAll { k, v -> rules(k) && !refused().containsKey(k) }.each { name, p ->
            boolean v6 = name.endsWith('.ip6tables')
            String file = v6 ? 'ip6tables.txt' : 'iptables.txt'
            parseRules(name, p).tables().values().each { t -> t.chains().values().each { c -> c.rules().each { r ->
                r.matches().findAll { it instanceof Match.Unknown }.each { unknown.merge("-m " + it.module(), 1, Integer::sum) }
                if (r.target() instanceof Target.Unknown) {
                    unknown.merge("-j " + r.target().name(), 1, Integer::sum)
                }
            } } }
            Path only = tmp.resolve("only-${traced}")
            Files.createDirectories(only)
            Files.copy(p, only.resolve(file))
            Path full = tmp.resolve("full-${traced}")
            Files.createDirectories(full)
            NODE.toFile().eachFile { Files.copy(it.toPath(), full.resolve(it.name)) }
            Files.copy(p, full.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
            List<List<String>> packets = v6
                    ? [['tcp [fd00::2]:40000 > [fd00::1]:443', 'forward', 'eth0'], ['tcp [fd00::2]:40000 > [fd00::1]:443', 'local-out', null]]
                    : [['tcp 10.244.0.2:40000 > 10.96.0.1:443', 'forward', 'cni0'], ['tcp 10.244.0.2:40000 > 10.96.0.1:443', 'local-out', null],
                       ['tcp 203.0.113.9:4000 > 192.168.56.2:30080', 'local-in', 'eth0'], ['udp 172.17.0.2:5353 > 8.8.8.8:53', 'forward', 'docker0']]
            [only, full].each { dir ->
                packets.each { pk ->
                    traceCli(dir, pk, exits, crashes, "$name in ${dir == only ? 'a rules-only dump' : 'a full dump'}")
                    traced++
                }
            }
        }
        Path report = Path.of('target/corpus-tally.md')
        Files.createDirectories(report.parent)
        report.text = "# Corpus (CorpusSpec)\n\n${corpus().size()} files; refused (as iptables-restore --test does): ${refused()}\n\n" +
                "traces: $traced, $exits\n\nconstructs left UNKNOWN (rules):\n\n" + unknown.collect { k, v -> "- `$k`: $v" }.join('\n') + '\n'

        then:
        traced > 200
        crashes.isEmpty() || { throw new AssertionError(crashes.join('\n')) }()
    }

    /** nft -j rulesets: the corpus's and Debian's examples (src/test/resources/netstack/nft/debian, see its README). */
    static Map<String, Path> nftRulesets() {
        Map<String, Path> out = new TreeMap<>(corpus().findAll { k, v -> k.endsWith('.nft.json') })
        Files.list(Path.of('src/test/resources/netstack/nft/debian')).filter { it.toString().endsWith('.nft.json') }
                .each { out["debian/${it.fileName}".toString()] = it }
        out
    }

    def "every nft ruleset of the corpus parses into the nft model and traces in a full node dump without an internal error"() {
        when:
        Map<String, Integer> unknown = new TreeMap<>()
        Map<String, Integer> exits = new TreeMap<>()
        List<String> crashes = []
        int traced = 0
        int rules = 0
        nftRulesets().each { name, p ->
            NftRuleset rs = NftParser.ruleset(p.toString(), p.text)
            rs.chains().each { c -> c.rules().each { r ->
                rules++
                r.stmts().each { s ->
                    if (s instanceof NftStmt.Unknown) {
                        unknown.merge("statement ${s.name()}".toString(), 1, Integer::sum)
                    } else if (s instanceof NftStmt.Undecidable) {
                        unknown.merge("undecidable ${s.name()}".toString(), 1, Integer::sum)
                    }
                }
                if (!r.stmts().any { it instanceof NftStmt.Unknown || it instanceof NftStmt.Undecidable }) {
                    // an expression the parser did not know is kept as its JSON inside the rule's text
                    (r.text() =~ /\{"(\w+)":/).each { unknown.merge("expression ${it[1]}".toString(), 1, Integer::sum) }
                }
            } }
            rs.unsimulatedBaseChains().each { unknown.merge("base chain of ${it.family()} ${it.hook()} (not simulated)".toString(), 1, Integer::sum) }
            Path full = tmp.resolve("nft-${traced}")
            Files.createDirectories(full)
            NODE.toFile().eachFile { Files.copy(it.toPath(), full.resolve(it.name)) }
            Files.copy(p, full.resolve('nft.json'), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
            [['tcp 10.244.0.2:40000 > 10.96.0.1:443', 'forward', 'cni0'], ['tcp 10.244.0.2:40000 > 10.96.0.1:443', 'local-out', null],
             ['tcp 203.0.113.9:4000 > 192.168.56.2:22', 'local-in', 'eth0'], ['udp 172.17.0.2:5353 > 8.8.8.8:53', 'forward', 'cni0'],
             ['tcp [fd00::2]:40000 > [fd00::1]:443', 'local-in', 'eth0']].each { pk ->
                traceCli(full, pk, exits, crashes, name)
                traced++
            }
        }
        Path report = Path.of('target/corpus-nft-tally.md')
        Files.createDirectories(report.parent)
        report.text = "# nft rulesets (CorpusSpec)\n\n${nftRulesets().size()} rulesets, $rules rules outside iptables-nft's tables; " +
                "traces: $traced, $exits\n\nconstructs left UNKNOWN:\n\n" + unknown.collect { k, v -> "- `$k`: $v" }.join('\n') + '\n'

        then:
        nftRulesets().size() >= 25
        rules > 100
        crashes.isEmpty() || { throw new AssertionError(crashes.join('\n')) }()
    }
}

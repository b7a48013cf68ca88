package io.skoop.snapshot

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.node.ArrayNode
import com.fasterxml.jackson.databind.node.ObjectNode
import io.skoop.cli.SkoopCommand
import io.skoop.netstack.NetNS
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * The corruption suite of issue 12: a generator breaks one file of a copy of the embedded example at a time — every
 * file kind of four dumps on the path of default/client → svc/default/web, the k8s objects and snapshot.json — in each
 * way that applies (emptied, cut in half, garbage appended, invalid UTF-8, the wrong JSON type, unknown fields,
 * every record twice, deleted, recorded as failed in meta.json, a 2 MB line, a symlink loop, a folder in its place),
 * runs {@code skoop diagnose -o json} in process and sorts each outcome:
 * <ul>
 * <li><b>clear error</b>: exit 2, one line on stderr naming the file by its place in the snapshot;</li>
 * <li><b>flagged</b>: a diagnosis whose verdict is UNKNOWN or the baseline's, with a suspicion naming the file;</li>
 * <li><b>unchanged</b>: the baseline's verdict and success share (the file did not decide anything, or the change
 *     does not matter: unknown fields, duplicate records);</li>
 * <li><b>crash</b>: exit 3 or a stack trace; <b>silently wrong</b>: any other answer. Both must be 0.</li>
 * </ul>
 * The tally goes to target/corruption-tally.md (quoted in the issue notes). Unreadable files are not tried: CI runs as
 * root, which reads any file (BrokenFilesSpec covers a permission error through the parsers' message).
 */
class CorruptionSuiteSpec extends Specification {
    static final Path EXAMPLE = Path.of('src/main/resources/io/skoop/snapshots/flannel-vxlan')
    static final List<String> DUMPS = ['nodes/node-1/host', 'nodes/node-1/pods/default_client', 'nodes/node-2/host',
                                       'nodes/node-2/pods/default_web-2']
    static final ObjectMapper JSON = new ObjectMapper()

    @TempDir @Shared Path tmp
    @Shared Path snap
    @Shared Map baseline

    def setupSpec() {
        snap = io.skoop.testsupport.ExampleCopy.copy(tmp.resolve('snap'))
        baseline = run()
        assert baseline.code == 0 && baseline.verdict == 'REACHABLE'
    }

    /** Each corruption: name → [applies to file?, change]. */
    static final Map<String, List> CORRUPTIONS = [
            'emptied'            : [{ String f -> true }, { Path p -> p.text = '' }],
            'cut in half'        : [{ String f -> true }, { Path p -> byte[] b = p.bytes; p.bytes = Arrays.copyOf(b, b.length.intdiv(2)) }],
            'garbage appended'   : [{ String f -> true }, { Path p -> p.toFile().append([0, 1, 0x7f, 0x41, 0x7b, 0x5b, 0x3d, 0x0a] as byte[]) }],
            'invalid UTF-8'      : [{ String f -> true }, { Path p -> byte[] b = p.bytes; int h = b.length.intdiv(2)
                                       p.bytes = (b[0..<h] + [0xc3, 0x28, 0xff] + (h < b.length ? b[h..-1] : [])) as byte[] }],
            'wrong JSON type'    : [{ String f -> f.endsWith('.json') }, { Path p -> p.text = JSON.readTree(p.toFile()).isArray() ? '{"kind": 1}' : '[1, 2]' }],
            'unknown fields'     : [{ String f -> f.endsWith('.json') }, { Path p -> p.text = JSON.writeValueAsString(withUnknown(JSON.readTree(p.toFile()))) }],
            'every record twice' : [{ String f -> f.endsWith('.json') }, { Path p -> p.text = JSON.writeValueAsString(doubled(JSON.readTree(p.toFile()))) }],
            'deleted'            : [{ String f -> true }, { Path p -> Files.delete(p) }],
            'failed in meta.json': [{ String f -> NetNS.FILES.contains(f.tokenize('/')[-1]) }, { Path p -> failed(p) }],
            'a 2 MB line'        : [{ String f -> true }, { Path p -> p.toFile().append('x' * (2 << 20) + '\n') }],
            'a symlink loop'     : [{ String f -> true }, { Path p -> Files.delete(p); Files.createSymbolicLink(p, p.fileName) }],
            'a folder instead'   : [{ String f -> true }, { Path p -> Files.delete(p); Files.createDirectory(p) }],
    ]

    static JsonNode withUnknown(JsonNode n) {
        if (n instanceof ObjectNode) {
            ((ObjectNode) n).putObject('zzUnknownField').put('addedBy', 'a newer writer')
            n.get('items')?.each { withUnknown(it) }
        } else if (n instanceof ArrayNode) {
            n.each { withUnknown(it) }
        }
        n
    }

    static JsonNode doubled(JsonNode n) {
        ArrayNode arr = n.isArray() ? (ArrayNode) n : n.get('items') instanceof ArrayNode ? (ArrayNode) n.get('items') : null
        if (arr != null) {
            arr.addAll(arr.deepCopy())
        }
        n
    }

    static void failed(Path p) {
        Path m = p.parent.resolve('meta.json')
        String name = p.fileName.toString()
        m.text = m.readLines().collect { line ->
            line.contains("\"file\": \"$name\"") ? line.replaceFirst(/"status": "[a-z]+", "exit": \d+/, '"status": "failed", "exit": 1') : line
        }.join('\n')
    }

    static List<String> files() {
        List<String> out = []
        DUMPS.each { d -> (NetNS.FILES + ['meta.json']).each { out << "$d/$it".toString() } }
        ['namespaces.json', 'nodes.json', 'pods.json', 'services.json', 'endpointslices.json'].each { out << "k8s/$it".toString() }
        out << 'snapshot.json'
        out.findAll { Files.exists(EXAMPLE.resolve(it)) } // ipvs.txt is not in the example: ipvsadm failed (no ip_vs)
    }

    Map run() {
        def out = new StringWriter()
        def err = new StringWriter()
        def cl = SkoopCommand.commandLine()
        cl.out = new PrintWriter(out, true)
        cl.err = new PrintWriter(err, true)
        int code = cl.execute('diagnose', '--snapshot', snap.toString(), '-s', 'default/client', '-d', 'svc/default/web', '-o', 'json')
        Map r = [code: code, err: err.toString()]
        if (code in [0, 1] && out.toString().startsWith('{')) {
            JsonNode d = JSON.readTree(out.toString())
            r.verdict = d.get('verdict').asText()
            r.success = d.get('successProbability').asDouble()
            r.messages = d.findValues('message')*.asText()
            // suspicions with the hop they are on: "pod:default/web-2: no socket listens …"
            r.suspicions = d.findValues('nodes').collectMany { nodes -> nodes.collectMany { n ->
                n.get('suspicions').collect { "${n.get('id').asText()}: ${it.get('message').asText()}".toString() } } }
        }
        r
    }

    /** Breaks {@code file} in copy, runs, restores the file from the example. */
    Map attempt(String file, Closure change) {
        Path p = snap.resolve(file)
        Path meta = p.parent.resolve('meta.json')
        byte[] metaBefore = Files.exists(meta) ? meta.bytes : null
        try {
            change(p)
            return run()
        } finally {
            if (Files.isSymbolicLink(p) || Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(p)
            } else if (Files.isDirectory(p)) {
                Files.delete(p)
            }
            Files.copy(EXAMPLE.resolve(file), p)
            if (metaBefore != null) {
                meta.bytes = metaBefore
            }
        }
    }

    String classify(String file, Map r) {
        String name = file.tokenize('/')[-1]
        String place = file.startsWith('k8s/') || file == 'snapshot.json' ? name : file
        boolean trace = r.err.contains('\tat ') || r.err.contains('Exception') || r.err.contains('internal error')
        if (r.code == 3 || trace) {
            return 'crash'
        }
        if (r.code == 2) {
            return r.err.readLines().size() == 1 && r.err.contains(place) ? 'clear error' : 'silently wrong'
        }
        if (r.verdict == null) {
            return 'silently wrong'
        }
        // the file by its place, or by its name on the suspicion of the hop whose dump it is ("its sockets.txt is empty")
        def parts = file.tokenize('/')
        String hop = parts.size() == 4 && parts[2] == 'host' ? "node:${parts[1]}" : parts.size() == 5 ? "pod:${parts[3].replaceFirst('_', '/')}" : null
        boolean named = r.messages.any { it.contains(place) } || hop != null && r.suspicions.any { it.contains(hop) && it.contains(name) }
        if (named && (r.verdict == 'UNKNOWN' || r.verdict == baseline.verdict)) {
            return 'flagged'
        }
        if (r.verdict == baseline.verdict && r.success == baseline.success) {
            return 'unchanged'
        }
        return 'silently wrong'
    }

    def "every corruption of every file kind: a clear error, a flagged diagnosis, or an unchanged verdict"() {
        when:
        Map<String, Integer> tally = new LinkedHashMap<>(['clear error': 0, flagged: 0, unchanged: 0, crash: 0, 'silently wrong': 0])
        List<String> bad = []
        List<String> rows = []
        int tried = 0
        for (String file : files()) {
            CORRUPTIONS.each { how, spec ->
                if (!spec[0](file)) {
                    return
                }
                tried++
                Map r = attempt(file, spec[1])
                String c = classify(file, r)
                tally[c]++
                rows << "| `$file` | $how | $c | ${r.code} ${r.verdict ?: ''} |"
                if (c in ['crash', 'silently wrong']) {
                    bad << "$file $how -> $c: exit ${r.code} ${r.verdict ?: ''} ${r.success ?: ''} ${r.err.take(300)}"
                }
            }
        }
        Path report = Path.of('target/corruption-tally.md')
        Files.createDirectories(report.parent)
        report.text = "# Corruption suite (CorruptionSuiteSpec)\n\ntried $tried: " + tally.collect { k, v -> "$k $v" }.join(', ') +
                "\n\n| file | corruption | outcome | exit, verdict |\n|---|---|---|---|\n" + rows.join('\n') + '\n'

        then:
        tried > 400
        bad.isEmpty() || { throw new AssertionError("${bad.size()} of $tried:\n" + bad.join('\n')) }()
        tally['clear error'] > 0 && tally.flagged > 0
    }
}

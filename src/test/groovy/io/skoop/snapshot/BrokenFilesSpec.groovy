package io.skoop.snapshot

import io.skoop.cli.SkoopCommand
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * A snapshot whose files are broken — not UTF-8, cut, followed by garbage, a folder where a file should be — is a
 * user's input problem: exit 2, one line naming the file by its place in the snapshot (which node's dump), never a
 * stack trace or an internal error. (The first cases of issue 12's corruption suite.)
 */
class BrokenFilesSpec extends Specification {
    @TempDir Path tmp
    static final Path EXAMPLE = Path.of('src/main/resources/io/skoop/snapshots/flannel-vxlan')

    /** A copy of the embedded example with {@code file} changed by {@code change}. */
    Path broken(String file, Closure change) {
        Path dir = io.skoop.testsupport.ExampleCopy.copy(tmp.resolve('snap'))
        change(dir.resolve(file))
        dir
    }

    static List diagnose(Path snapshot) {
        def out = new StringWriter()
        def err = new StringWriter()
        def cl = SkoopCommand.commandLine()
        cl.out = new PrintWriter(out, true)
        cl.err = new PrintWriter(err, true)
        int code = cl.execute('diagnose', '--snapshot', snapshot.toString(), '-s', 'default/client', '-d', 'svc/default/web')
        [code, err.toString()]
    }

    static final Closure appendBytes(int... bytes) {
        return { Path p -> p.toFile().append(bytes as byte[]) }
    }

    def "#file #how: exit 2 naming #file"() {
        given:
        Path snap = broken(file, change)

        when:
        def (int code, String err) = diagnose(snap)

        then:
        code == 2
        err.readLines().size() == 1
        err.startsWith("skoop: error: ${snap.resolve(file)}")
        err.contains(message)
        !err.contains('internal error')

        where:
        file                                     | how                                 | change                                                                  || message
        'nodes/node-1/host/route.json'           | 'not UTF-8'                         | appendBytes(0xff, 0xfe)                                                 || ': not UTF-8 text'
        'nodes/node-1/host/neigh.json'           | 'not UTF-8'                         | appendBytes(0xff)                                                       || ': not UTF-8 text'
        'snapshot.json'                          | 'not UTF-8'                         | appendBytes(0xff)                                                       || ': not UTF-8 text'
        'k8s/pods.json'                          | 'not UTF-8 after the List'          | appendBytes(0xff)                                                       || 'not a kubectl List of Pod objects: Invalid UTF-8 start byte 0xff'
        'k8s/pods.json'                          | 'holding a second JSON value'       | { Path p -> p.toFile().append('{}\n') }                                 || 'more follows the List object'
        'nodes/node-1/host/iptables.txt'         | 'with a rule cut short'             | { Path p -> p.toFile().append('-A FORWARD -j\n') }                      || "iptables.txt:"
        'nodes/node-1/host/sysctl.txt'           | 'with a line that is no setting'    | { Path p -> p.toFile().append('garbage without equals\n') }             || "sysctl.txt:"
        'nodes/node-1/host/neigh.json'           | 'cut'                               | { Path p -> p.text = '[{' }                                             || ': malformed JSON'
        'nodes/node-1/host/route.json'           | 'with a second JSON value after it' | { Path p -> p.toFile().append('[]\n') }                                || 'more follows the JSON value'
        'snapshot.json'                          | 'of a newer format'                 | { Path p -> p.text = p.text.replace('"formatVersion" : 1', '"formatVersion" : 2') } || 'written by a newer skoop; this skoop reads format 1: upgrade skoop'
    }

    def "a folder where a routing file should be names the file"() {
        given:
        Path snap = broken('nodes/node-1/host/rule.json') { Path p -> Files.delete(p); Files.createDirectory(p) }

        when:
        def (int code, String err) = diagnose(snap)

        then:
        code == 2
        err.contains("${snap.resolve('nodes/node-1/host/rule.json')}")
    }
}

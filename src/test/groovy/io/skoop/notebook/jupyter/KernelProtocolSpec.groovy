package io.skoop.notebook.jupyter

import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * The kernel as Jupyter drives it: jupyter_client (Debian's python3-jupyter-client) starts it from the installed
 * kernelspec and speaks the messaging protocol over ZeroMQ — kernel_info, execute (state across cells, streams while a
 * cell runs, display_data, errors at the cell's lines), complete, inspect, is_complete, interrupt, a forged message,
 * the addresses it listens on, shutdown. {@code src/test/resources/notebook/kernel_protocol.py} does the talking and
 * reports what it saw; this spec judges it.
 */
class KernelProtocolSpec extends Specification {
    @Shared Jupyter jupyter = new Jupyter()
    @Shared Map seen

    def setupSpec() {
        def (int code, String out) = jupyter.run([Jupyter.PYTHON, Jupyter.ROOT.resolve('src/test/resources/notebook/kernel_protocol.py').toString()])
        String json = out.readLines().reverse().find { it.startsWith('{') }
        assert code == 0 && json: out
        seen = new JsonSlurper().parseText(json) as Map
    }

    def cleanupSpec() {
        jupyter.close()
    }

    def "kernel_info: protocol 5.3, the skoop implementation, Groovy"() {
        expect:
        seen.kernel_info.status == 'ok'
        seen.kernel_info.protocol_version == '5.3'
        seen.kernel_info.implementation == 'skoop'
        seen.kernel_info.language_info.name == 'groovy'
        seen.kernel_info.language_info.file_extension == '.groovy'
        seen.kernel_info.banner.startsWith('skoop (Groovy 5.0.7')
    }

    def "execute: values with sequential counts, state from cell to cell"() {
        expect:
        seen.sum.status == 'ok'
        seen.sum.outputs == [[type: 'execute_result', mimes: ['text/plain'], text: '2', count: 1]]
        seen.define.outputs == []
        seen.use.outputs[0].text == '10'
        seen.use.count == 3
    }

    def "standard output streams while the cell runs"() {
        when:
        def first = seen.streamed.outputs.find { it.type == 'stream' && it.text == 'first\n' }
        def second = seen.streamed.outputs.find { it.type == 'stream' && it.text == 'second\n' }

        then: "'first' arrived about 1.5 s before the cell ended"
        first && second
        second.t - first.t > 1.2
        seen.streamed.outputs[-1].text == 'done'
    }

    def "rich display: display(x) as display_data, a diagnosis with HTML, SVG and JSON"() {
        expect:
        seen.diagnosis.outputs*.type == ['display_data', 'execute_result']
        seen.diagnosis.outputs[0].mimes == ['application/json', 'text/html', 'text/plain']
        seen.diagnosis.outputs[1].mimes == ['application/json', 'image/svg+xml', 'text/html', 'text/plain']
        seen.diagnosis.outputs[1].text.startsWith('diagnosis: default/client (10.244.0.2) -> svc/default/web')
    }

    def "an error names the cell's line, with no Java frames"() {
        expect:
        seen.error.status == 'error'
        seen.error.outputs.size() == 1
        with(seen.error.outputs[0]) {
            ename == 'IllegalArgumentException'
            evalue.startsWith('no pod default/nope in the snapshot')
            traceback.size() == 2
            traceback[1] ==~ /  In \[\d+\], line 2: diagnose\(pod\('default\/nope'\), service\('default\/web', 80\)\)/
        }
    }

    def "complete: #what"() {
        expect:
        seen.complete[key].matches == matches
        seen.complete[key].start == start
        seen.complete[key].end == end

        where:
        what                               | key                 || matches                                 | start | end
        'a verb'                           | 'verb'              || ['diagnose']                            | 0     | 4
        "a pod inside pod('"               | 'pod'               || ['default/client', 'default/client-2']  | 5     | 14
        'a magic'                          | 'magic'             || ['diagnose']                            | 1     | 3
        'a member of a variable'           | 'member'            || ['explain()']                           | 2     | 6
        'an endpoint of %diagnose'         | 'endpoint_in_magic' || ['svc/default/web']                     | 25    | 38
    }

    def "inspect: a verb's help, a variable, the call the cursor is in, a magic, a member; nothing found on blanks"() {
        expect:
        seen.inspect.verb.found && seen.inspect.verb.text.startsWith('diagnose(source, destination, [protocol], [family])')
        seen.inspect.variable.text.startsWith('d: io.skoop.dsl.DiagnosisView')
        seen.inspect.inside_call.text.startsWith('routeGet(at, dst')
        seen.inspect.magic.text.startsWith('Usage: %diagnose')
        seen.inspect.member.text.contains("The text report with every hop's decisions")
        !seen.inspect.nothing.found
    }

    def "is_complete"() {
        expect:
        seen.is_complete.complete.status == 'complete'
        seen.is_complete.incomplete == [status: 'incomplete', indent: '    ']
        seen.is_complete.invalid.status == 'invalid'
        seen.is_complete.magic.status == 'complete'
    }

    def "interrupt: a cell that never ends stops at once; the session and its variables stay"() {
        expect:
        seen.interrupt.status == 'error'
        seen.interrupt.ename == 'Interrupted'
        seen.interrupt.evalue.contains('line 3: while (true) { n++ }')
        seen.interrupt.seconds < 5
        seen.after_interrupt.status == 'ok'
        seen.after_interrupt.outputs[0].text == '105'
    }

    def "a message signed with another key gets no answer and runs nothing; the kernel goes on serving"() {
        expect:
        seen.forged.replied == false
        seen.after_forged.status == 'ok'
        seen.after_forged.outputs[0].text == 'false'
    }

    def "the kernel listens on loopback only"() {
        expect:
        seen.connection.ip == '127.0.0.1'
        seen.listening.size() == 5
        // 127.0.0.1, or as jeromq's dual-stack socket shows it, the IPv4-mapped ::ffff:127.0.0.1
        seen.listening.every { it ==~ /(\[::ffff:)?127\.0\.0\.1\]?:\d+/ }
    }

    def "shutdown: a reply, then the process ends"() {
        expect:
        seen.shutdown.msg_type == 'shutdown_reply'
        seen.alive_after_shutdown == false
    }

    def "a connection file naming a non-loopback address is refused, naming the option that allows it"() {
        given:
        Path f = jupyter.home.resolve('remote.json')
        Files.writeString(f, '{"ip": "0.0.0.0", "transport": "tcp", "shell_port": 40001, "iopub_port": 40002, "stdin_port": 40003, ' +
                '"control_port": 40004, "hb_port": 40005, "key": "k", "signature_scheme": "hmac-sha256"}')

        when:
        def (int code, String out) = jupyter.run([Jupyter.SKOOP, 'notebook', 'kernel', f.toString()], 120)

        then:
        code == 2
        out.contains('asks the kernel to listen on 0.0.0.0, which is not a loopback address')
        out.contains('--allow-remote')
    }
}

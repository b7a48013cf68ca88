package io.skoop.shell

import io.skoop.diagnose.Query
import io.skoop.dsl.DiagnosisView
import io.skoop.dsl.Session
import io.skoop.model.IpFamily
import io.skoop.model.Protocol
import io.skoop.render.ClusterTables
import io.skoop.snapshot.k8s.KubeObjects
import org.jline.builtins.Options
import org.jline.console.CommandInput
import org.jline.console.CommandMethods
import org.jline.console.CommandRegistry
import org.jline.console.impl.JlineCommandRegistry
import org.jline.reader.Completer
import org.jline.reader.impl.completer.ArgumentCompleter
import org.jline.reader.impl.completer.NullCompleter
import org.jline.reader.impl.completer.StringsCompleter

import java.nio.file.Files
import java.nio.file.Path
import java.util.function.Function
import java.util.function.Supplier

/**
 * skoop's commands in the shell, next to groovysh's own ({@code /help} lists both): {@code /diagnose},
 * {@code /explain}, {@code /render}, {@code /nodes}, {@code /pods}, {@code /services}, {@code /verbs}. They work on the
 * same {@link Session} as the DSL, so {@code d = diagnose(...)} followed by {@code /explain} explains {@code d}.
 * Usage lines follow JLine's {@link Options} convention: {@code /cmd --help} prints them and completion reads them.
 * Each command returns the text to print; a user mistake is an exception with a one-line message (JLine prints
 * the message, not a stack trace).
 */
class SkoopCommands extends JlineCommandRegistry implements CommandRegistry {
    private final Session session
    private final Supplier<Path> workDir

    /**
     * @param session the DSL's session
     * @param workDir the shell's working directory ({@code /cd} changes it): where {@code /render} writes
     */
    SkoopCommands(Session session, Supplier<Path> workDir) {
        super()
        this.session = session
        this.workDir = workDir
        registerCommands([
                '/diagnose': new CommandMethods((Function) this::diagnose, this::endpointCompleter),
                '/explain' : new CommandMethods((Function) this::explain, this::defaultCompleter),
                '/render'  : new CommandMethods((Function) this::render, this::defaultCompleter),
                '/nodes'   : new CommandMethods((Function) this::nodes, this::defaultCompleter),
                '/pods'    : new CommandMethods((Function) this::pods, this::defaultCompleter),
                '/services': new CommandMethods((Function) this::services, this::defaultCompleter),
                '/verbs'   : new CommandMethods((Function) this::verbs, this::defaultCompleter),
        ])
    }

    /** The group {@code /help} shows these commands under. */
    @Override
    String name() {
        'skoop commands'
    }

    static final String[] DIAGNOSE = usage('/diagnose', 'does a new connection from SRC to DST succeed? prints the verdict, path and suspicions',
            '[-p PORT] [-u] [--family=4|6] SRC DST',
            '  SRC, DST: namespace/pod, node/NAME, svc/namespace/name (DST) or an IP, as `skoop diagnose` takes them',
            '  -p --port=PORT                  destination port (a number, or a Service port name)',
            '  -u --udp                        UDP instead of TCP',
            '     --family=4|6                 a named DST at its IPv4 or IPv6 address (dual-stack; default: its primary one)')

    /** A usage in JLine's {@link Options} layout: {@code name -  summary}, {@code Usage: name args}, the lines, {@code --help}. */
    static String[] usage(String name, String summary, String args, String... lines) {
        (["$name -  $summary", "Usage: $name $args".trim()] + (lines as List) + ['  -? --help                       Displays command help'])
                .collect { it.toString() } as String[]
    }

    private Object diagnose(CommandInput input) {
        run(DIAGNOSE, input) { Options opt ->
            List<String> args = opt.args()
            if (args.size() != 2) {
                throw new IllegalArgumentException('/diagnose takes SRC and DST (got ' + args.size() + ' arguments); /diagnose --help shows the usage')
            }
            DiagnosisView d = session.diagnose(new Query(args[0], args[1], opt.isSet('port') ? opt.get('port') : null,
                    opt.isSet('udp') ? Protocol.UDP : Protocol.TCP, null, opt.isSet('family') ? IpFamily.option(opt.get('family')) : null))
            d.toString()
        }
    }

    static final String[] EXPLAIN = usage('/explain', 'the latest diagnosis with every hop\'s decisions (routes, rules, lookups)', '')

    private Object explain(CommandInput input) {
        run(EXPLAIN, input) { Options opt -> session.last().explain() }
    }

    static final String[] RENDER = usage('/render',
            'writes the latest diagnosis\'s graph to FILE (svg, png, dot, json or txt by extension) and prints where', '[-f] [FILE|DIR]',
            '  without FILE: skoop-diagnosis.svg in DIR or the working directory (then -2, -3, ...: nothing is overwritten)',
            '  -f --force                      overwrite FILE when it exists')

    private Object render(CommandInput input) {
        run(RENDER, input) { Options opt ->
            Path file = opt.args().isEmpty() ? workDir.get() : workDir.get().resolve(opt.args()[0])
            session.last().render(file, opt.isSet('force'), '/render --force')
        }
    }

    static final String[] NODES = usage('/nodes', 'the snapshot\'s nodes: status, address, podCIDR', '')

    private Object nodes(CommandInput input) {
        run(NODES, input) { Options opt -> ClusterTables.nodes(objects()) }
    }

    static final String[] PODS = usage('/pods', 'the snapshot\'s pods: ready, phase, IP, node', '[-n NAMESPACE]',
            '  -n --namespace=NAMESPACE        only this namespace')

    private Object pods(CommandInput input) {
        run(PODS, input) { Options opt -> ClusterTables.pods(objects(), opt.isSet('namespace') ? opt.get('namespace') : null) }
    }

    static final String[] SERVICES = usage('/services', 'the snapshot\'s Services: type, cluster IP, ports', '')

    private Object services(CommandInput input) {
        run(SERVICES, input) { Options opt -> ClusterTables.services(objects()) }
    }

    static final String[] VERBS = usage('/verbs', 'the DSL\'s verbs with their parameters (as help() in Groovy)', '[VERB]')

    private Object verbs(CommandInput input) {
        run(VERBS, input) { Options opt -> opt.args().isEmpty() ? DslBinding.VERBS.help() : DslBinding.VERBS.help(opt.args()[0]) }
    }

    private KubeObjects objects() {
        session.snapshot().objects()
    }

    /**
     * Parses the arguments against {@code usage} and runs {@code body}; {@code --help} prints the usage. A failure is
     * kept for the registry to report (JLine's convention), and nothing is returned.
     */
    private Object run(String[] usage, CommandInput input, Closure<String> body) {
        try {
            return body.call(parseOptions(usage, input.xargs()))
        } catch (Exception e) {
            saveException(e)
            return null
        }
    }

    /** Completes SRC and DST of {@code /diagnose} from the snapshot: pods, node/NAME, svc/namespace/name. */
    private List<Completer> endpointCompleter(String command) {
        Completer endpoints = new StringsCompleter({ ->
            if (!session.hasSnapshot()) {
                return [] as List<String>
            }
            io.skoop.notebook.Completions.endpointSpecs(objects())
        } as Supplier<Collection<String>>)
        [new ArgumentCompleter(NullCompleter.INSTANCE, endpoints, endpoints, NullCompleter.INSTANCE)]
    }
}

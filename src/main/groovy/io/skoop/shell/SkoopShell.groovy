package io.skoop.shell

import io.skoop.dsl.Session
import io.skoop.dsl.SkoopScript
import io.skoop.notebook.CellError
import org.apache.groovy.groovysh.Main
import org.apache.groovy.groovysh.jline.GroovyBuiltins
import org.apache.groovy.groovysh.jline.GroovyCommands
import org.apache.groovy.groovysh.jline.GroovyConsoleEngine
import org.apache.groovy.groovysh.jline.GroovyEngine
import org.apache.groovy.groovysh.jline.GroovySystemRegistry
import org.apache.groovy.groovysh.util.DocFinder
import org.jline.builtins.ClasspathResourceUtil
import org.jline.builtins.ConfigurationPath
import org.jline.builtins.SyntaxHighlighter
import org.jline.console.CommandRegistry
import org.jline.console.ConsoleEngine
import org.jline.console.Printer
import org.jline.console.impl.DefaultPrinter
import org.jline.console.impl.SystemHighlighter
import org.jline.reader.EndOfFileException
import org.jline.reader.LineReader
import org.jline.reader.LineReaderBuilder
import org.jline.reader.UserInterruptException
import org.jline.reader.impl.DefaultParser
import org.jline.terminal.Size
import org.jline.terminal.Terminal
import org.jline.terminal.TerminalBuilder
import org.jline.widget.AutosuggestionWidgets
import picocli.CommandLine
import picocli.CommandLine.ArgGroup
import picocli.CommandLine.Command
import picocli.CommandLine.Option

import java.awt.GraphicsEnvironment
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.util.concurrent.Callable
import java.util.function.Supplier

/**
 * {@code skoop-shell}: groovysh 5 (JLine 3) with the skoop DSL preloaded — the verbs in the binding
 * ({@link DslBinding}), skoop's imports, skoop's commands ({@link SkoopCommands}) next to groovysh's, tab completion
 * for verbs, commands, endpoints and members, persistent history ({@code ~/.skoop/shell_history}).
 *
 * <p>The console is assembled from groovysh's own parts (GroovyEngine, GroovyConsoleEngine, GroovyBuiltins,
 * GroovyCommands, GroovySystemRegistry) the way {@code org.apache.groovy.groovysh.Main} does, because Main offers no
 * way to add a command registry. {@code --console} opens groovyConsole on the same DSL instead (runbook base script
 * {@link io.skoop.dsl.SkoopScript}); {@code --jshell} opens JShell with skoop's classpath and imports.
 *
 * <p>Exit codes: 0 after {@code /exit} or end of input, 2 for a usage mistake (an unknown option, a bad source, no
 * display for {@code --console}).
 */
@Command(name = 'skoop-shell', mixinStandardHelpOptions = true, sortOptions = false,
        description = ['The skoop DSL in a REPL (groovysh 5): diagnose, step through NetNodes, inspect routes and iptables.',
                'Type /help for commands, help() for the DSL verbs, /exit to leave.'])
class SkoopShell implements Callable<Integer> {
    /** Where history and user settings live: {@code ~/.skoop}. */
    static Path userDir() {
        Paths.get(System.getProperty('user.home'), '.skoop')
    }

    /** Imports every line of the shell has (and JShell's startup). */
    static final List<String> IMPORTS = io.skoop.dsl.Verbs.IMPORTS

    static class Source {
        @Option(names = '--example', paramLabel = 'NAME', description = 'work on an embedded example snapshot (flannel-vxlan)')
        String example
        @Option(names = '--snapshot', paramLabel = 'DIR', description = 'work on a snapshot folder')
        String snapshot
        @Option(names = '--lab', paramLabel = 'NAME', description = 'work on a lab that is up (snapshots it; needs root)')
        String lab
    }

    @ArgGroup(exclusive = true)
    Source source

    static class Mode {
        @Option(names = '--console', description = 'open groovyConsole (Swing) with the DSL instead of the terminal REPL')
        boolean console
        @Option(names = '--jshell', description = 'open JShell with skoop on the class path and its packages imported (Java API)')
        boolean jshell
    }

    @ArgGroup(exclusive = true)
    Mode mode

    @Option(names = ['-e', '--evaluate'], paramLabel = 'CODE', description = 'run CODE (a DSL line or /command) before the first prompt')
    List<String> evaluate = []

    @Option(names = ['-q', '--quiet'], description = 'no banner')
    boolean quiet

    /** Runs the shell; {@code System.exit} with its exit code. */
    static void main(String[] args) {
        System.exit(run(args))
    }

    /** Runs the shell and returns its exit code. */
    static int run(String... args) {
        new CommandLine(new SkoopShell()).execute(args)
    }

    @Override
    Integer call() {
        Session session = new Session()
        Object loaded
        try {
            loaded = load(session)
        } catch (Exception e) {
            if (!mistake(e)) {
                throw e
            }
            System.err.println("skoop-shell: ${e.message}")
            return 2
        }
        if (mode?.jshell) {
            return JShellLauncher.start(IMPORTS, loadLine(session))
        }
        if (mode?.console) {
            return console(session)
        }
        return repl(session, loaded)
    }

    /** Chooses the source given on the command line with its verb; returns what the verb returned (null when none was given). */
    private Object load(Session session) {
        Map.Entry<String, String> chosen = [example: source?.example, snapshot: source?.snapshot, lab: source?.lab].find { it.value }
        chosen ? DslBinding.VERBS.invoke(session, chosen.key, [chosen.value] as Object[]) : null
    }

    /**
     * The Java statement that gives JShell's {@code session} the snapshot the command line chose (an example by
     * name; a snapshot folder or a lab's fresh snapshot by its folder), or null when none was chosen.
     */
    private String loadLine(Session session) {
        if (source?.example) {
            return "session.use(Snapshot.example(\"${source.example}\"));"
        }
        if (session.hasSnapshot()) {
            String dir = session.snapshot().dir().toAbsolutePath().toString().replace('\\', '\\\\').replace('"', '\\"')
            return "session.use(Snapshot.open(java.nio.file.Path.of(\"${dir}\")));"
        }
        null
    }

    private static int console(Session session) {
        if (GraphicsEnvironment.isHeadless()) {
            System.err.println('skoop-shell: --console needs a graphical display (DISPLAY is not set, or Java runs headless); ' +
                    'use skoop-shell without --console for the terminal REPL')
            return 2
        }
        def config = new org.codehaus.groovy.control.CompilerConfiguration()
        config.scriptBaseClass = SkoopScript.name
        Binding binding = new Binding([skoopSession: session])
        def c = new groovy.console.ui.Console(SkoopShell.classLoader, binding, config)
        c.run()
        return 0
    }

    private int repl(Session session, Object loaded) {
        Terminal terminal = TerminalBuilder.builder().name('skoop-shell').build()
        if (terminal.width == 0 || terminal.height == 0) {
            terminal.size = new Size(120, 40)
        }
        Thread executing = Thread.currentThread()
        SkoopEngine engine = new SkoopEngine(session)
        // Ctrl-C while a statement runs stops it (the session stays); during a /command, the command's thread is
        // interrupted (a diagnosis stops between hops)
        terminal.handle(Terminal.Signal.INT, { if (!engine.interrupt()) { executing.interrupt() } } as Terminal.SignalHandler)

        URL nanorc = Main.getResource('/nanorc')
        Path root = ClasspathResourceUtil.getResourcePath(nanorc)
        Path user = userDir()
        Files.createDirectories(user)
        // JLine's console engine reads these at start and fails on an empty one (left by a start that crashed while
        // writing it); an empty file holds nothing, so it goes
        ['aliases.json', 'pipeline-names.json'].each { String n ->
            Path f = user.resolve(n)
            if (Files.isRegularFile(f) && Files.size(f) == 0) {
                Files.delete(f)
            }
        }
        ConfigurationPath configPath = new ConfigurationPath(root, user)

        new DslBinding(session).variables().each { k, v -> engine.put(k, v) }
        if (source?.lab) {
            engine.put('cluster', loaded)   // the LabView of --lab: cluster.exec(...), cluster.probe(...)
        }
        engine.put('CONSOLE_OPTIONS', [:])
        engine.put('GROOVYSH_OPTIONS', [interpreterMode: true])
        engine.put(GroovyEngine.NANORC_VALUE, nanorc.toString())
        IMPORTS.each { engine.execute("import $it") }
        Printer printer = new DefaultPrinter(engine, configPath)

        DefaultParser parser = new DefaultParser(regexCommand: /\/?[a-zA-Z!]\S*/, eofOnUnclosedQuote: true, eofOnEscapedNewLine: true)
        parser.blockCommentDelims(new DefaultParser.BlockCommentDelims('/*', '*/')).lineCommentDelims(['//'] as String[])
                .setEofOnUnclosedBracket(DefaultParser.Bracket.CURLY, DefaultParser.Bracket.ROUND, DefaultParser.Bracket.SQUARE)
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).parser(parser)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, '%M%P > ')
                .variable(LineReader.INDENTATION, 2)
                .variable(LineReader.LIST_MAX, 100)
                .variable(LineReader.HISTORY_FILE, user.resolve('shell_history'))
                .option(LineReader.Option.INSERT_BRACKET, true)
                .option(LineReader.Option.EMPTY_WORD_OPTIONS, false)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .build()

        def extra = new Main.ExtraConsoleCommands(Paths.get(System.getProperty('user.dir')), engine, reader)
        Supplier<Path> workDir = extra::currentDir
        engine.put('PWD', workDir.get())
        Path jnanorc = root.resolve('jnanorc')
        SyntaxHighlighter groovyHighlighter = SyntaxHighlighter.build(jnanorc, 'Groovy')
        CommandRegistry groovy = new GroovyCommands(engine, workDir, printer, groovyHighlighter)
        ConsoleEngine consoleEngine = new GroovyConsoleEngine(engine, printer, workDir, configPath, reader)
        consoleEngine.setConsoleOption('docs', new DocFinder())
        CommandRegistry builtins = new GroovyBuiltins(engine, workDir, configPath, reader,
                { String fun -> new ConsoleEngine.WidgetCreator(consoleEngine, fun) } as java.util.function.Function)
        SkoopCommands skoop = new SkoopCommands(session, workDir)
        GroovySystemRegistry registry = new GroovySystemRegistry(parser, terminal, workDir, configPath)
        registry.groupCommandsInHelp(true)
        registry.setCommandRegistries(skoop, extra, consoleEngine, builtins, groovy)
        registry.addCompleter(DslBinding.completer())
        registry.addCompleter(engine.scriptCompleter)
        registry.setScriptDescription(engine::scriptDescription)
        registry.renameLocal('exit', '/exit')
        registry.renameLocal('help', '/help')
        registry.invoke('/alias', '/q', '/exit')
        registry.setConsoleOption('ignoreUnknownPipes', true)
        reader.highlighter = new SystemHighlighter(SyntaxHighlighter.build(jnanorc, 'COMMAND'), SyntaxHighlighter.build(jnanorc, 'ARGS'), groovyHighlighter)
        reader.completer = registry.completer()
        new AutosuggestionWidgets(reader)

        if (!quiet) {
            println "skoop-shell (Groovy ${GroovySystem.version}, Java ${System.getProperty('java.version')}): " +
                    (loaded ? "working on ${loaded}" : "no snapshot yet: example('flannel-vxlan'), snapshot('DIR') or lab('NAME')")
            if (source?.lab) {
                println "the lab is the variable cluster: cluster.exec('node-1', 'ip link set eth0 down'), cluster.probe(src, dst), cluster.down()"
            }
            println '/help lists the commands (skoop\'s: /diagnose /explain /render /nodes /pods /services /verbs); ' +
                    'help() lists the DSL verbs; Tab completes; exit (or quit, /exit, Ctrl-D) leaves.'
        }
        List<String> pending = new ArrayList<>(evaluate)
        while (true) {
            try {
                Thread.interrupted() // a Ctrl-C that came after its command had ended
                registry.cleanUp()
                String line = pending ? pending.remove(0) : reader.readLine('skoop> ')
                String word = line.trim()
                if (word in ['exit', 'quit'] && !engine.hasVariable(word)) {
                    break // as groovysh users expect (also /exit, Ctrl-D)
                }
                if (word == 'clear' && !engine.hasVariable(word)) {
                    terminal.puts(org.jline.utils.InfoCmp.Capability.clear_screen)
                    terminal.flush()
                    continue
                }
                Object result = registry.execute(line)
                String assigned = result == null ? assignedVariable(line) : null
                if (assigned != null && engine.hasVariable(assigned)) {
                    result = engine.get(assigned) // JLine's console engine prints nothing for an assignment: show its value
                }
                consoleEngine.println(result?.toString())
            } catch (UserInterruptException ignored) {
                // Ctrl-C abandons the line
            } catch (EndOfFileException ignored) {
                break
            } catch (MissingMethodException e) {
                String verb = DslBinding.unknownVerb(e)
                verb ? say(terminal, verb) : registry.trace(e)
            } catch (CellError e) {
                report(terminal, e)
            } catch (java.util.concurrent.CancellationException e) {
                say(terminal, e.message)
            } catch (Exception | Error e) {
                // a mistake in what was typed (unknown pod, bad address, nothing diagnosed yet): its message, no trace
                mistake(e) ? say(terminal, "error: ${e.message}") : registry.trace(e)
            }
        }
        registry.close()
        return 0
    }

    /** The variable a line assigns ({@code x = …}, {@code def x = …}, {@code String x = …}), or null. */
    static String assignedVariable(String line) {
        def m = line =~ /^\s*(?:def\s+|[A-Z][\w.<>,\[\] ]*\s+)?([A-Za-z_]\w*)\s*=(?![=~])/
        m.find() && !line.trim().endsWith(';') ? m.group(1) : null
    }

    /** A user's mistake rather than a bug ({@link io.skoop.dsl.Mistakes#isSessionMistake}): printed as one line. */
    static boolean mistake(Throwable e) {
        io.skoop.dsl.Mistakes.isSessionMistake(e)
    }

    /**
     * A statement that failed: "interrupted: ..." for Ctrl-C; "error: message" for a user's mistake (as the commands
     * say it); otherwise what went wrong and the statement's line, no Java frames.
     */
    private static void report(Terminal terminal, CellError e) {
        if (e.ename() == 'Interrupted') {
            say(terminal, "interrupted: ${e.evalue()}")
        } else if (e.mistake()) {
            say(terminal, "error: ${e.cause.message}")
        } else {
            e.traceback().each { say(terminal, it) }
        }
    }

    private static void say(Terminal terminal, String line) {
        terminal.writer().println(line)
        terminal.writer().flush()
    }
}

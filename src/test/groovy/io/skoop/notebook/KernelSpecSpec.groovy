package io.skoop.notebook

import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import javax.imageio.ImageIO
import java.nio.file.Files
import java.nio.file.Path

/** skoop notebook install: the kernelspec Jupyter finds, with its logo drawn from the SVG. */
class KernelSpecSpec extends Specification {
    @TempDir Path dir

    def "kernel.json starts the kernel on {connection_file}, interrupts by message; the logo in three forms"() {
        when:
        Path spec = KernelSpec.install(KernelSpec.prefixKernels(dir), ['/opt/skoop/scripts/skoop', 'notebook', 'kernel', '{connection_file}'])
        def json = new JsonSlurper().parse(spec.resolve('kernel.json').toFile())
        def small = ImageIO.read(spec.resolve('logo-32x32.png').toFile())
        def big = ImageIO.read(spec.resolve('logo-64x64.png').toFile())

        then:
        spec == dir.resolve('share/jupyter/kernels/skoop')
        json.argv == ['/opt/skoop/scripts/skoop', 'notebook', 'kernel', '{connection_file}']
        json.display_name == 'skoop (Groovy)'
        json.language == 'groovy'
        json.interrupt_mode == 'message'
        [small.width, small.height, big.width, big.height] == [32, 32, 64, 64]
        (big.getRGB(2, 32) & 0xffffff) == 0x1f3b5a           // the logo's dark blue, not an empty image
        Files.readString(spec.resolve('logo-svg.svg')).contains('<svg')
    }

    def "an argv that does not pass the connection file is refused"() {
        when:
        KernelSpec.install(dir, ['skoop', 'notebook', 'kernel'])

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('{connection_file}')
    }

    def "the command installed is the launcher that started skoop, else this JVM with its class path"() {
        when:
        System.setProperty('skoop.launcher', '/nonexistent/scripts/skoop')
        def argv = io.skoop.cli.NotebookCommand.kernelArgv()

        then:
        argv[0].endsWith('/bin/java')
        argv[1] == '-cp'
        argv[-4..-1] == ['io.skoop.cli.SkoopCommand', 'notebook', 'kernel', '{connection_file}']

        when: 'started by scripts/skoop (-Dskoop.launcher): that script'
        System.setProperty('skoop.launcher', 'scripts/skoop')
        argv = io.skoop.cli.NotebookCommand.kernelArgv()

        then:
        argv == [Path.of('scripts/skoop').toAbsolutePath().normalize().toString(), 'notebook', 'kernel', '{connection_file}']

        cleanup:
        System.clearProperty('skoop.launcher')
    }
}

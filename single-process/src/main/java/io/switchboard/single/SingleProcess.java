package io.switchboard.single;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Switchboard in one JVM, for small installs and development: the services' own executable jars,
 * the same that deploy apart, started one after another in this process, each in a class loader of
 * its own. Each service sees exactly the classes and the configuration it has when it runs alone,
 * listens on its own ports and talks to the others through the brokers as always; what they share
 * is one heap, one garbage collector and one JIT's threads, and one process to run.
 *
 * <p>Each jar is unpacked once (its {@code BOOT-INF/}) into a directory of its own under
 * {@code --extract-to}, and again only when the jar changes. The arguments after a jar are that
 * service's, those after a lone {@code --} every service's. The process exits if a service fails
 * to start.
 *
 * <pre>java [JVM options] -jar single-process.jar [--extract-to=dir] gateway-service-exec.jar [--server.port=8080] ...
 *     [-- --spring.profiles.active=local]</pre>
 */
public final class SingleProcess {

    private SingleProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path extractTo = Path.of(System.getProperty("java.io.tmpdir"), "switchboard-single");
        Map<Path, List<String>> jars = new LinkedHashMap<>();
        List<String> everyService = new ArrayList<>();
        List<String> current = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                everyService.addAll(List.of(args).subList(i + 1, args.length));
                break;
            } else if (args[i].endsWith(".jar")) {
                current = jars.computeIfAbsent(Path.of(args[i]), jar -> new ArrayList<>());
            } else if (current != null) {
                current.add(args[i]);
            } else if (args[i].startsWith("--extract-to=")) {
                extractTo = Path.of(args[i].substring("--extract-to=".length()));
            } else {
                usage("unknown option " + args[i]);
            }
        }
        if (jars.isEmpty()) {
            usage("no service jar given");
        }
        SharedClasses shared = new SharedClasses();
        for (Map.Entry<Path, List<String>> jar : jars.entrySet()) {
            Service service = Service.unpack(jar.getKey(), extractTo.resolve(jar.getKey().getFileName().toString().replaceFirst("\\.jar$", "")),
                    shared);
            List<String> serviceArgs = new ArrayList<>(jar.getValue());
            serviceArgs.addAll(everyService);
            Set<String> properties = System.getProperties().stringPropertyNames();
            Throwable failure = service.start(serviceArgs.toArray(String[]::new));
            if (failure != null) {
                System.err.println(service.name + " did not start: " + failure);
                failure.printStackTrace();
                System.exit(1);
            }
            // Spring Boot hands its logging settings to Logback as upper-case system properties, each set
            // only where unset: cleared once a service has started, the next sets its own (its name on its log lines).
            System.getProperties().stringPropertyNames().stream()
                    .filter(name -> !properties.contains(name) && name.equals(name.toUpperCase(Locale.ROOT)))
                    .forEach(System::clearProperty);
        }
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: java -jar single-process.jar [--extract-to=dir] <service>-exec.jar [its arguments]..."
                + " [-- arguments of every service]");
        System.exit(2);
    }

    /**
     * The classes every service takes from one class loader rather than its own: those that bind a
     * native library, which a JVM lets one class loader load only. The embedding model's tokenizer
     * (DJL, {@code ai.djl}) is one; the gateway and the composer both use it. They are loaded with
     * the libraries they need from the first service that has them.
     */
    static final class SharedClasses {

        static final String PACKAGE = "ai.djl.";
        private static final List<String> JARS = List.of("tokenizers-", "api-", "gson-", "jna-", "commons-compress-", "slf4j-api-");

        private ClassLoader loader;

        /** The shared class loader, made from {@code classPath} if it has the tokenizer and none was made before. */
        synchronized ClassLoader loader(URL[] classPath) {
            if (loader == null && Stream.of(classPath).anyMatch(url -> fileName(url).startsWith("tokenizers-"))) {
                URL[] jars = Stream.of(classPath).filter(url -> JARS.stream().anyMatch(fileName(url)::startsWith)).toArray(URL[]::new);
                loader = new URLClassLoader("shared", jars, ClassLoader.getSystemClassLoader());
            }
            return loader;
        }

        private static String fileName(URL url) {
            return Path.of(url.getPath()).getFileName().toString();
        }
    }

    /** A service's own classes and libraries, but for the {@link SharedClasses}, which come from the shared loader. */
    static final class ServiceClassLoader extends URLClassLoader {

        private final ClassLoader shared;

        ServiceClassLoader(String name, URL[] classPath, ClassLoader shared) {
            super(name, classPath, ClassLoader.getSystemClassLoader());
            this.shared = shared;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            return shared != null && name.startsWith(SharedClasses.PACKAGE) ? shared.loadClass(name) : super.loadClass(name, resolve);
        }
    }

    /** A service's classes and libraries, unpacked, and the class its jar starts. */
    private record Service(String name, String startClass, URLClassLoader loader) {

        private static final String BOOT_INF = "BOOT-INF/";

        static Service unpack(Path jar, Path directory, SharedClasses shared) throws IOException {
            try (JarFile file = new JarFile(jar.toFile())) {
                String startClass = file.getManifest().getMainAttributes().getValue("Start-Class");
                if (startClass == null) {
                    throw new IllegalArgumentException(jar + " is not an executable Spring Boot jar: its manifest has no Start-Class");
                }
                String stamp = Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis();
                Path stampFile = directory.resolve(".unpacked-from");
                if (!Files.exists(stampFile) || !Files.readString(stampFile).equals(stamp)) {
                    delete(directory);
                    for (JarEntry entry : Collections.list(file.entries())) {
                        if (!entry.isDirectory() && entry.getName().startsWith(BOOT_INF)) {
                            Path target = directory.resolve(entry.getName().substring(BOOT_INF.length())).normalize();
                            if (!target.startsWith(directory)) {
                                throw new IOException(jar + " has an entry outside its directory: " + entry.getName());
                            }
                            Files.createDirectories(target.getParent());
                            try (InputStream in = file.getInputStream(entry)) {
                                Files.copy(in, target);
                            }
                        }
                    }
                    Files.writeString(stampFile, stamp);
                }
                String name = jar.getFileName().toString().replaceFirst("(-exec)?\\.jar$", "");
                URL[] classPath = classPath(directory);
                return new Service(name, startClass, new ServiceClassLoader(name, classPath, shared.loader(classPath)));
            }
        }

        /** Its classes, then its libraries in the order of the jar's {@code classpath.idx}, as the jar's own launcher has them. */
        private static URL[] classPath(Path directory) throws IOException {
            List<URL> urls = new ArrayList<>(List.of(directory.resolve("classes").toUri().toURL()));
            for (String line : Files.readAllLines(directory.resolve("classpath.idx"))) {
                String entry = line.replaceFirst("^- \"", "").replaceFirst("\"$", "");
                urls.add(directory.resolve(entry.substring(BOOT_INF.length())).toUri().toURL());
            }
            return urls.toArray(URL[]::new);
        }

        private static void delete(Path directory) throws IOException {
            if (!Files.exists(directory)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                    try {
                        Files.delete(path);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }

        /**
         * Runs its {@code main} on a thread of its own whose context class loader is the service's,
         * and returns once the service is up (a Spring Boot main returns then), or what it failed with.
         */
        Throwable start(String[] args) throws InterruptedException {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread main = new Thread(() -> {
                try {
                    disableTomcatsUrlHandlers();
                    Class.forName(startClass, true, loader).getMethod("main", String[].class).invoke(null, (Object) args);
                } catch (InvocationTargetException e) {
                    failure.set(e.getCause());
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    failure.set(e);
                }
            }, name + "-main");
            main.setContextClassLoader(loader);
            main.start();
            main.join();
            return failure.get();
        }

        /**
         * Embedded Tomcat sets the JVM's one URL stream handler factory, for {@code war:} URLs a
         * service does not use; a second service's Tomcat, in a class loader of its own, would fail
         * to. Each service's is told not to.
         */
        private void disableTomcatsUrlHandlers() throws ReflectiveOperationException {
            try {
                Class.forName("org.apache.catalina.webresources.TomcatURLStreamHandlerFactory", true, loader)
                        .getMethod("disable").invoke(null);
            } catch (ClassNotFoundException noTomcat) {
                // a service without a servlet container
            }
        }
    }
}

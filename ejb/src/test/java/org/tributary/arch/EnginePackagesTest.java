package org.tributary.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine is plain Java: only the container shell ({@code ee}) and {@code persistence} may
 * import Jakarta APIs (docs/architecture.md).
 */
class EnginePackagesTest {

    @Test
    void engineSourcesImportNoJakartaApi() throws IOException {
        Path root = Paths.get("src/main/java/org/tributary");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(root)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> {
                        String pkg = root.relativize(p).getName(0).toString();
                        return !pkg.equals("ee") && !pkg.equals("persistence");
                    })
                    .filter(p -> {
                        try {
                            return Files.readAllLines(p).stream().anyMatch(l -> l.startsWith("import jakarta.")
                                    || l.startsWith("import org.eclipse.microprofile."));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(Path::toString).sorted().toList();
        }
        assertEquals(List.of(), offenders, "engine files importing container APIs");
    }
}

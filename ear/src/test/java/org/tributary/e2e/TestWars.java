package org.tributary.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Packs a small test application: the compiled classes of one package, as a WAR. */
final class TestWars {
    private TestWars() {
    }

    /** Writes {@code <name>.war} into DIR with the classes of {@code member}'s package under WEB-INF/classes. */
    static Path pack(Class<?> member, String name, Path dir) {
        try {
            Path classes = Paths.get(member.getProtectionDomain().getCodeSource().getLocation().toURI());
            String pkg = member.getPackageName().replace('.', '/');
            Path war = dir.resolve(name + ".war");
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(war); ZipOutputStream zip = new ZipOutputStream(out);
                    Stream<Path> files = Files.list(classes.resolve(pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                    zip.putNextEntry(new ZipEntry("WEB-INF/classes/" + pkg + "/" + f.getFileName()));
                    zip.write(Files.readAllBytes(f));
                    zip.closeEntry();
                }
            }
            return war;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + name + ".war", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

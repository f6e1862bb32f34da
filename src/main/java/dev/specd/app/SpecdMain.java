package dev.specd.app;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of {@code quarkus-run.jar}: with no arguments (or {@code serve}) it starts the
 * server; with a tool name ({@code forge}, {@code bench}, {@code plan}) it runs that tool and exits
 * without starting the server, so tools never compete for the HTTP port or load models they do
 * not need.
 */
@QuarkusMain
public class SpecdMain {

    public static void main(String... args) {
        if (args.length > 0 && SpecdCli.isTool(args[0])) {
            System.exit(SpecdCli.run(args));
        }
        if (args.length > 0 && args[0].equals("serve")) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        Quarkus.run(args);
    }
}

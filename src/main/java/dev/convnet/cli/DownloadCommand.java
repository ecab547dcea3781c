package dev.convnet.cli;

import dev.convnet.data.FashionMnist;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convnet download}: the official files, checked, into the project's data folder. */
@Command(
    name = "download",
    mixinStandardHelpOptions = true,
    description = {
      "Download the four official Fashion-MNIST files (MD5 of each .gz and SHA-256 of its contents checked).",
      "Each file is written under a temporary name and renamed only when complete; files already there are kept."
    })
final class DownloadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Target folder (default: ${DEFAULT-VALUE}).")
  Path dir = FashionMnist.PROJECT_DATA_DIR;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Base address of the four .gz files (default: the official site).",
      defaultValue = FashionMnist.OFFICIAL_URL)
  String url;

  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<Path> written = FashionMnist.download(url.endsWith("/") ? url : url + "/", dir);
    FashionMnist.load(dir, FashionMnist.Verify.CHECKSUMS);
    out.println(
        written.isEmpty()
            ? "All four files were already in " + dir + "; checksums verified."
            : "Downloaded " + written.size() + " file(s) into " + dir + "; checksums verified.");
    out.flush();
    return 0;
  }
}

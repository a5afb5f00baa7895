package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.OutcomeClass;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * `postbus --help` lists each command with the first line of its description only: that line must
 * be a whole sentence, not the start of one cut off mid-way (issue 16).
 */
class HelpTest {

  private static void collect(CommandLine command, List<CommandLine> into) {
    for (CommandLine sub : command.getSubcommands().values()) {
      if (!into.contains(sub)) {
        into.add(sub);
        collect(sub, into);
      }
    }
  }

  @Test
  void everyCommandsFirstDescriptionLineIsACompleteSentence() {
    List<CommandLine> all = new ArrayList<>();
    collect(Postbus.commandLine(), all);
    assertThat(all).hasSizeGreaterThan(6);
    for (CommandLine c : all) {
      // The list shows the header when there is one (picocli's own help command has one), else the
      // description.
      var usage = c.getCommandSpec().usageMessage();
      String[] shown = usage.header().length > 0 ? usage.header() : usage.description();
      assertThat(shown).as(c.getCommandSpec().qualifiedName() + " has a description").isNotEmpty();
      assertThat(shown[0].strip())
          .as(c.getCommandSpec().qualifiedName() + ": " + shown[0])
          .matches("[A-Z].*[.)]");
    }
  }

  @Test
  void theDeadLetterClassFilterNamesEveryClassADeadLetterCanHave() {
    CommandLine dlt = Postbus.commandLine().getSubcommands().get("dlt");
    for (CommandLine sub : dlt.getSubcommands().values()) {
      var option = sub.getCommandSpec().findOption("--class");
      if (option == null) {
        continue;
      }
      String help = String.join(" ", option.description());
      for (OutcomeClass c : OutcomeClass.values()) {
        if (c != OutcomeClass.DELIVERED && c != OutcomeClass.FATAL) {
          assertThat(help).as("dlt " + sub.getCommandName() + " --class").contains(c.label());
          assertThat(dev.postbus.replay.DeadLetterFilter.CLASSES).contains(c.label());
        }
      }
    }
  }
}

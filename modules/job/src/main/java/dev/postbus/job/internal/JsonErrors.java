package dev.postbus.job.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.List;
import java.util.Locale;

/**
 * A JSON syntax error in words that never quote the payload: its position and its kind ({@code not
 * valid JSON at line 1, column 16: an unrecognized token}). Jackson's own messages quote the token
 * (up to 256 characters of it, line breaks included), and a token may be an address or a body.
 */
public final class JsonErrors {

  /** Jackson's message prefix (lower case) and the kind it names. The first match wins. */
  private static final List<String[]> KINDS =
      List.of(
          new String[] {"unrecognized token", "an unrecognized token"},
          new String[] {"duplicate field", "a key given twice"},
          new String[] {"unexpected end-of-input", "the input ends too early"},
          new String[] {"illegal unquoted character", "a control character in a string"},
          new String[] {"unrecognized character escape", "an invalid escape in a string"},
          new String[] {"unexpected close marker", "an unexpected closing bracket"},
          new String[] {"invalid numeric value", "an invalid number"},
          new String[] {"numeric value", "a number out of range"},
          new String[] {"leading zeroes", "an invalid number"},
          new String[] {"invalid utf-8", "invalid UTF-8"},
          new String[] {"unexpected character", "an unexpected character"});

  private JsonErrors() {}

  /** {@code not valid JSON at line L, column C: <kind>}; never a character of the payload. */
  public static String describe(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where =
        at == null || at.getLineNr() < 1
            ? ""
            : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return "not valid JSON" + where + ": " + kind(e);
  }

  private static String kind(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException) {
      return "over a parser limit (nesting depth, string or number length)";
    }
    if (e instanceof JsonEOFException) {
      return "the input ends too early";
    }
    String message = e.getOriginalMessage();
    String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
    for (String[] k : KINDS) {
      if (lower.startsWith(k[0])) {
        return k[1];
      }
    }
    return "a syntax error";
  }
}

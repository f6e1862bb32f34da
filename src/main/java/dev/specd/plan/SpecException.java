package dev.specd.plan;

/** A pipeline spec is wrong; the message names the file, the field and why. */
public class SpecException extends RuntimeException {

    private final String file;
    private final String field;

    public SpecException(String file, String field, String why) {
        super(file + ": " + (field.isEmpty() ? "" : field + ": ") + why);
        this.file = file;
        this.field = field;
    }

    public String file() {
        return file;
    }

    public String field() {
        return field;
    }
}

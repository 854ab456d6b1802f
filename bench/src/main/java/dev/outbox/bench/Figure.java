package dev.outbox.bench;

/** One measured figure, with the ceiling or peer it is compared to (null when there is none). */
record Figure(String scenario, String measure, double value, String unit, String comparedTo, Double reference,
              String target) {

    Double ratio() {
        return reference == null || reference == 0 ? null : value / reference;
    }
}

package dev.outbox.system.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each service's runnable jar carries its CycloneDX SBOM, naming what it ships (for a vulnerability scan). */
class SbomTest {

    @ParameterizedTest
    @ValueSource(strings = {"producer.jar", "consumer.jar"})
    void theRunnableJarCarriesACycloneDxSbomOfItsDependencies(String jarProperty) throws Exception {
        try (ZipFile jar = new ZipFile(Path.of(System.getProperty(jarProperty)).toFile())) {
            var entry = jar.getEntry("META-INF/sbom/application.cdx.json");
            assertThat(entry).as("SBOM in " + jar.getName()).isNotNull();
            JsonNode sbom;
            try (InputStream in = jar.getInputStream(entry)) {
                sbom = new ObjectMapper().readTree(in);
            }
            assertThat(sbom.path("bomFormat").asText()).isEqualTo("CycloneDX");
            Set<String> components = new HashSet<>();
            sbom.path("components").forEach(c -> components.add(c.path("group").asText() + ":" + c.path("name").asText()));
            assertThat(components).contains("org.apache.camel:camel-kafka", "org.postgresql:postgresql",
                    "org.apache.kafka:kafka-clients", "org.springframework.boot:spring-boot");
            sbom.path("components").forEach(c -> assertThat(c.path("purl").asText()).startsWith("pkg:maven/"));
        }
    }
}

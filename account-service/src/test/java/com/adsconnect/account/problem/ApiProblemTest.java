package com.adsconnect.account.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;

class ApiProblemTest {

    /** An extension named like a member would be written next to it: {"status": 409, ..., "status": "DISCONNECTED"}. */
    @ParameterizedTest
    @ValueSource(strings = {"type", "title", "status", "detail", "instance"})
    void anExtensionCannotTakeAStandardMembersName(String member) {
        assertThatThrownBy(() -> new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.CONNECTION_NOT_USABLE, "Connection not usable",
                "The connection is DISCONNECTED.", Map.of(member, "DISCONNECTED")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a problem's extension cannot be named " + member);
    }

    @ParameterizedTest
    @ValueSource(strings = {"connectionStatus", "connectionId", "errors"})
    void otherExtensionsAreWrittenBesideTheMembers(String extension) {
        ApiProblem problem = new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.CONNECTION_NOT_USABLE, "Connection not usable",
                "The connection is DISCONNECTED.", Map.of(extension, "DISCONNECTED"));
        assertThat(problem.toProblemDetail().getStatus()).isEqualTo(409);
        assertThat(problem.toProblemDetail().getProperties()).containsEntry(extension, "DISCONNECTED");
    }
}

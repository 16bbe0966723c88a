import ReportService
import RoutingService
import ServiceRuntime
import SettingsService
import StatusService
import Testing

@Suite("The deployment's input topics")
struct DeploymentInputsTests {
    @Test("the table tools use (ccctl replay-deadletters) says what each processor itself reads")
    func sameAsProcessors() {
        #expect(DeploymentInputs.byService["settings-service"] == Set(SettingsProcessor().inputs))
        #expect(DeploymentInputs.byService["routing-service"] == Set(RoutingProcessor().inputs))
        #expect(DeploymentInputs.byService["status-service"] == Set(StatusProcessor().inputs))
        #expect(DeploymentInputs.byService["report-service"] == Set(ReportProcessor().inputs))
        #expect(DeploymentInputs.service("settings-service", reads: "p.cc.settings.commands", prefix: "p."))
        #expect(!DeploymentInputs.service("settings-service", reads: "p.cc.usage", prefix: "p."))
        #expect(!DeploymentInputs.service("evil-service", reads: "p.cc.config", prefix: "p."))
    }
}

import Foundation
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// The web UI in a real browser: scripts/registry-ui-browser.py drives Debian's chromium headless through
    /// chromium-driver (PyPI selenium) against a server this test starts, and prints what it saw as JSON.
    /// Skipped, never passed, when chromium, chromium-driver or selenium is missing (`make setup` installs them).
    @Suite struct UIBrowserTests {
        static let script = SharedFixtures.repository.appendingPathComponent("scripts/registry-ui-browser.py")
        /// Where the run leaves its screenshots, for a person to look at.
        static let screenshots = SharedFixtures.repository.appendingPathComponent(".build/ui-screenshots")
        static let note = "Reviewed <script>alert(1)</script> & approved"

        /// Cancels the calling test (reported as skipped) when the browser or its driver is missing.
        func requireBrowser() throws {
            let missing = ["/usr/bin/chromium", "/usr/bin/chromedriver"].filter { !FileManager.default.isExecutableFile(atPath: $0) }
            if !missing.isEmpty {
                try Test.cancel("not installed: \(missing.joined(separator: ", ")) (make setup installs chromium and chromium-driver)")
            }
            if try ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import selenium"]).status != 0 {
                try Test.cancel("python3 cannot import selenium; run scripts/install-python-tools.sh")
            }
        }

        @Test func anApproverApprovesAndPromotesAndTheTrainerIsRefusedWithTheReason() throws {
            try requireBrowser()
            let fixture = try ServerFixture()
            let curve = (1...20).map { (point: Int) -> (step: Int, loss: Double, validationLoss: Double?) in
                let progress = Double(point)
                let validation: Double? = point % 5 == 0 ? 2.7 - 0.035 * progress : nil
                return (step: point * 5, loss: 2.6 - 0.04 * progress, validationLoss: validation)
            }
            // support-bot@1 registered and trained by both-c; @2 and @3 by trainer-t.
            for (trainer, path) in [("both-c", "data/support.jsonl"), ("trainer-t", "data/<b>tickets</b>.jsonl"), ("trainer-t", "data/support.jsonl")] {
                let candidate = try fixture.candidate(trainedBy: trainer, datasetPath: path, trainingCurve: curve)
                let registered = try fixture.register(candidate, as: trainer)
                try #require(registered.status == 201, "\(registered.text)")
            }
            try? FileManager.default.removeItem(at: Self.screenshots)
            let started = Date()
            let run = try ProcessRunner.run("/usr/bin/env", [
                "python3", Self.script.path, "--url", fixture.server.url, "--model", "support-bot",
                "--pending", "2", "--second", "3", "--own", "1", "--screenshots", Self.screenshots.path,
            ], environment: [
                "QUENCH_UI_APPROVER_TOKEN": try #require(fixture.tokens["approver-a"]),
                "QUENCH_UI_TRAINER_APPROVER_TOKEN": try #require(fixture.tokens["both-c"]),
            ])
            print("registry-ui-browser.py took \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            let printed = run.standardOutput.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
            let seen = try #require((try? JSONSerialization.jsonObject(with: Data(printed.utf8))) as? [String: Any],
                                    "the script printed no JSON: \(run.output.suffix(2000))")
            try #require(run.status == 0 && seen["error"] == nil, "\(run.output.suffix(4000))")

            // Signing in, with the keyboard reaching the token field and the button.
            #expect((seen["unsigned_redirect"] as? String)?.hasPrefix("/ui/sign-in?next=") == true)
            let signInTabs = seen["sign_in_tab_order"] as? [String] ?? []
            #expect(signInTabs.contains("input#token@sign-in") && signInTabs.contains("button#sign-in-button@sign-in"), "\(signInTabs)")
            #expect(seen["after_sign_in"] as? String == "/ui/models")
            #expect((seen["header_user"] as? String)?.contains("approver-a") == true)
            #expect(seen["models"] as? [String] == ["support-bot"])
            #expect(seen["models_search"] as? Bool == true)

            // The pending version, then approved with a note holding markup: shown as text, no alert.
            let before = try #require(seen["pending_before"] as? [String: Any])
            #expect((before["status"] as? String)?.contains("pending") == true, "\(before)")
            #expect(before["signature"] as? String == "verified")
            #expect(before["has_loss_curve_svg"] as? Bool == true)
            #expect((before["lineage"] as? String)?.contains("data/<b>tickets</b>.jsonl") == true, "\(before["lineage"] ?? "")")
            let forms = before["forms"] as? [String] ?? []
            #expect(forms.contains("approve") && forms.contains("reject"), "\(forms)")
            #expect(!forms.contains("archive"), "an approver is offered the admin's archive form")
            let versionTabs = seen["version_tab_order"] as? [String] ?? []
            #expect(versionTabs.contains { $0.hasPrefix("textarea#") && $0.hasSuffix("@approve") }, "\(versionTabs)")
            #expect(versionTabs.contains { $0.hasPrefix("button#") && $0.hasSuffix("@approve") }, "\(versionTabs)")
            #expect(seen["approve_alert"] is NSNull, "an alert opened: \(seen["approve_alert"] ?? "")")
            let approveFlash = seen["approve_flash"] as? [String: Any]
            #expect(approveFlash?["text"] as? String == "Approved support-bot@2.")
            #expect((approveFlash?["class"] as? String)?.contains("done") == true)
            let approved = try #require(seen["approved"] as? [String: Any])
            #expect(approved["status"] as? String == "approved")
            #expect(approved["note"] as? String == Self.note)
            #expect((approved["forms"] as? [String])?.contains("promote") == true, "\(approved["forms"] ?? "")")
            #expect(seen["raw_markup_in_page"] as? Bool == false)
            let scripts = seen["scripts"] as? [String] ?? []
            #expect(!scripts.isEmpty && scripts.allSatisfy { $0.hasSuffix("/ui/static/app.js") }, "\(scripts)")

            // Promoted to production, then the alias moves to @3.
            #expect(((seen["promote_flash"] as? [String: Any])?["text"] as? String)?.hasPrefix("Promoted support-bot@2 to production") == true)
            #expect(((seen["promoted"] as? [String: Any])?["summary"] as? String)?.contains("production") == true)
            #expect((seen["second_promote_flash"] as? [String: Any])?["text"] as? String == "Promoted support-bot@3 to production (was 2).")
            #expect(seen["models_aliases"] as? [String] == ["production → 3"])
            let history = seen["alias_history"] as? [[String]] ?? []
            #expect(history.count == 2, "\(history)")
            #expect(history.first?.contains("production → 3") == true && history.last?.contains("production → 2") == true,
                    "newest first: \(history)")
            #expect(((seen["first_after_move"] as? [String: Any])?["summary"] as? String)?.contains("production") == false)

            // The page script sorts by date and filters the models list as you type; the audit log verifies.
            let order = seen["version_order"] as? [String: Any] ?? [:]
            #expect(order["server"] as? [Int] == [3, 2, 1], "\(order)")
            #expect(order["first_click"] as? [Int] == [1, 2, 3], "\(order)")
            #expect(order["second_click"] as? [Int] == [3, 2, 1], "\(order)")
            let search = seen["search"] as? [String: Any] ?? [:]
            #expect(search["unmatched"] as? Bool == false && search["matched"] as? Bool == true, "\(search)")
            let verification = (seen["audit_verification"] as? String ?? "").split(separator: "\n").map(String.init)
            #expect(verification.contains { $0.hasPrefix("verified 12 entries") }, "\(verification)")
            #expect(seen["audit_rows"] as? Int == 12, "5 users, 3 registrations, 2 approvals, 2 promotions: \(seen["audit_rows"] ?? "")")
            #expect((seen["audit_checkpoint"] as? String)?.isEmpty == false)

            // Signed out; then both-c, who registered @1, is refused with the separation-of-duties reason.
            #expect(seen["after_sign_out"] as? String == "/ui/sign-in")
            #expect((seen["signed_out_redirect"] as? String)?.hasPrefix("/ui/sign-in?next=") == true)
            let ownFlash = seen["own_approval_flash"] as? [String: Any]
            #expect((ownFlash?["text"] as? String)?.contains("both-c registered support-bot@1 and so cannot decide on it (separation of duties)") == true,
                    "\(ownFlash ?? [:])")
            #expect((ownFlash?["class"] as? String)?.contains("refused") == true)
            #expect(((seen["own_after"] as? [String: Any])?["status"] as? String)?.contains("pending") == true)

            // No Content-Security-Policy violation; the phone width needs no sideways scrolling.
            let console = seen["console"] as? [String] ?? []
            #expect(!console.contains { $0.contains("Content Security Policy") || $0.contains("Refused to") }, "\(console)")
            let phone = seen["phone_width"] as? [String: Any] ?? [:]
            #expect(phone["inner"] as? Int == 390, "\(phone)")
            #expect((phone["scroll"] as? Int ?? .max) <= (phone["client"] as? Int ?? 0), "the version page scrolls sideways at 390 px: \(phone)")

            for key in ["screenshot_models", "screenshot_version", "screenshot_version_phone"] {
                let path = try #require(seen[key] as? String)
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(path) is a PNG")
                #expect(data.count > 20_000, "\(path) is a rendered page, not a blank one (\(data.count) bytes)")
                print("screenshot: \(path)")
            }
        }
    }
}

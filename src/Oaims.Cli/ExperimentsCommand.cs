using Oaims.Imaging;
using Oaims.Interaction;
using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oaims.Learning;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Inference;
using Oaims.Learning.Sessions;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>
/// `oaims experiments`: the issue-4 experiments (learning-rate tuning, brain FLAIR -> T1c for every strategy,
/// stream order, source retention, fundus under synthetic shifts, update cost). Each section saves its
/// figures as JSON under OUT/results/; docs/results.md is then rebuilt from every section present.
/// </summary>
public static class ExperimentsCommand
{
    public static readonly string[] Sections = ["variants", "tune", "brain", "brain-seen", "order", "retention", "volume", "fundus", "drions"];
    // Learning-rate factors (x the task's rate) from low to high: the tuning starts on 0.3..3 and walks one step further
    // while a strategy's best rate sits on the edge, so no strategy is held back by where the grid stops.
    static readonly double[] RateLadder = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30];
    const int FirstRate = 3, LastRate = 5;
    static readonly string[] Adaptive = ["mi", "pi", "pi+mi", "ia-sa", "tsca", "tent"];

    public static Command Create()
    {
        var data = WithDefault("--data", "../shared/data", "folder holding brats2013/ and fundus/");
        var output = WithDefault("--out", "docs", "folder for results.md and results/");
        var sections = WithDefault("--sections", string.Join(",", Sections), "comma-separated sections to (re)run");
        var seed = WithDefault("--seed", 0, "seed for the random order");
        var strategies = Optional("--strategies", "tune and brain sections: re-run only these strategies (comma-separated), keeping the other rows");
        var resume = new Option<bool>("--resume") { Description = "skip the sections OUT already holds from the same code version and weights, and finish an unfinished tuning or variants section: a run longer than one sitting goes on where it stopped" };
        var command = new Command("experiments", "Run the online-adaptation experiments and rebuild docs/results.md.");
        foreach (var o in new Option[] { data, output, sections, seed, strategies, resume }) command.Options.Add(o);
        command.SetAction(parse => Guarded(() =>
        {
            TorchRuntime.UseThreads();
            var only = SplitList(parse.GetValue(strategies));
            if (only?.FirstOrDefault(s => !AdaptationStrategies.Names.Contains(s)) is { } unknown)
                throw new ArgumentException($"Unknown strategy '{unknown}': use {string.Join(", ", AdaptationStrategies.Names)}.");
            bool resuming = parse.GetValue(resume);
            if (resuming && only is not null)
                throw new ArgumentException("--resume goes on with whole sections and --strategies re-runs rows of one: use one of them.");
            var run = new ExperimentRun(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(seed), only, resuming);
            if (resuming && run.CodeVersion is null)
                throw new ArgumentException("--resume needs committed code (src, build, models): with changes there, earlier sections cannot be shown to come from the same code.");
            var chosenSections = SplitList(parse.GetValue(sections))!;
            if (chosenSections.FirstOrDefault(s => !Sections.Contains(s)) is { } unknownSection)
                throw new ArgumentException($"Unknown section '{unknownSection}': use {string.Join(", ", Sections)}.");
            var failedSections = new List<string>();
            foreach (string section in chosenSections)
            {
                if (resuming && run.Finished(section))
                {
                    Console.Error.WriteLine($"== {section}: already in {parse.GetValue(output)} from this code version, skipped");
                    continue;
                }
                Console.Error.WriteLine($"== {section}");
                // A LibTorch failure in one section costs that section, not the ones queued after it in a long run.
                try { run.Save(section, RunSection(run, section)); }
                catch (ExternalException error)
                {
                    failedSections.Add(section);
                    Console.Error.WriteLine($"== {section} FAILED, nothing saved: {error.Message.Split('\n')[0]}");
                }
            }
            ResultsPage.Write(parse.GetValue(output)!);
            if (failedSections.Count > 0) Console.Error.WriteLine($"Failed sections: {string.Join(", ", failedSections)}.");
            return failedSections.Count == 0 ? 0 : 1;
        }));
        return command;
    }

    static JsonObject RunSection(ExperimentRun run, string section) => section switch
    {
        "variants" => run.Variants(),
        "tune" => run.Tune(),
        "brain" => run.Brain(),
        "brain-seen" => run.BrainSeenPatients(),
        "order" => run.Order(),
        "retention" => run.Retention(),
        "volume" => run.Volume(),
        "fundus" => run.Fundus(),
        "drions" => run.Drions(),
        _ => throw new UnreachableException($"Section '{section}' passed the check against Sections but has no runner."),
    };

    /// <summary>
    /// Why a variants row goes without the same-patient check (`ExperimentRun.SamePatientRetention`), or null when it
    /// needs it. The check is most of a row's time (every tuning patient's whole T1c), and the rule can keep a row only
    /// if it passes the checks after the tuning stream and scores above the defaults (or the defaults fail): a row
    /// that cannot be kept skips it. "default" runs first, so it is checked unless it fails the stream's checks.
    /// </summary>
    public static string? WhyOwnT1cCheckIsSkipped(bool keepsAfterStream, double score, bool? defaultsKeep, double? defaultsScore) =>
        !keepsAfterStream ? "it already fails the checks after the tuning stream"
        : defaultsKeep == true && score <= defaultsScore ? "it scores no better than the defaults, which keep the source"
        : null;

    /// <summary>The runs themselves; every stream goes through <see cref="OnlineStream"/> like `oaims eval`.</summary>
    sealed class ExperimentRun(string data, string output, int seed, IReadOnlyList<string>? onlyStrategies, bool resuming)
    {
        // The code when the run started (sections take long, and HEAD may move on while they run); the models and data
        // files each section used are recorded afresh per section.
        RunProvenance _provenance = RunProvenance.Start(data);

        public string? CodeVersion => _provenance.CodeVersion;

        /// <summary>The section's file is complete and was computed by this code version from the weights shipped now.</summary>
        public bool Finished(string section)
        {
            if (SavedByThisCode(section) is not { } saved) return false;
            if (Retrained(saved) is { Count: > 0 } retrained)
            {
                Console.Error.WriteLine($"== {section}: saved by this code version, but {string.Join(", ", retrained)} changed since, so it runs again");
                return false;
            }
            return saved["unfinished"] is null;
        }

        /// <summary>The section's file, when this code version computed it, every part of it, from the weights shipped now.</summary>
        JsonObject? SavedFromThisCode(string section) =>
            SavedByThisCode(section) is { } saved && Retrained(saved).Count == 0 ? saved : null;

        JsonObject? SavedByThisCode(string section) =>
            CodeVersion is not null && Saved(section) is { } saved && RunProvenance.OfSection(saved).All(p => p?["code_version"]?.GetValue<string>() == CodeVersion) ? saved : null;

        /// <summary>The models a saved section used whose shipped weights have changed since.</summary>
        static List<string> Retrained(JsonObject saved) =>
            RunProvenance.OfSection(saved).SelectMany(p => p?["model_weights_sha256"] as JsonObject ?? [])
                        .Where(m => !ShipsWeights(m.Key, m.Value?.GetValue<string>())).Select(m => m.Key).Distinct().ToList();

        /// <summary>Whether the named model resolves to the weights with this SHA-256 (false when it no longer resolves).</summary>
        static bool ShipsWeights(string model, string? sha256)
        {
            try { return RunProvenance.WeightsSha256(ModelCatalog.Resolve(model)) == sha256; }
            catch (FileNotFoundException) { return false; }
        }

        /// <summary>The section's file under OUT/results, as saved (finished or in progress); null when there is none.</summary>
        JsonObject? Saved(string section)
        {
            string path = SectionPath(section);
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : null;
        }

        string SectionPath(string section) => Path.Combine(ResultsFolder, section + ".json");

        string Brats => Path.Combine(data, "brats2013");
        string Drishti => Path.Combine(data, "fundus", "drishti-gs1");
        string DrionsDb => Path.Combine(data, "fundus", "drions-db");
        string ResultsFolder => Path.Combine(output, "results");

        public void Save(string section, JsonObject result)
        {
            bool partial = onlyStrategies is not null && section is "tune" or "brain";
            string command = CommandFor(section);
            var run = new JsonObject { ["command"] = command, ["commit"] = _provenance.Commit, ["provenance"] = _provenance.ToJson() };
            _provenance = _provenance.Fresh();
            if (partial && result["command"] is not null)
            {
                // Some rows re-run: the section keeps the run that made the rest, and lists the re-runs after it.
                if (result["reruns"] is JsonArray reruns) reruns.Add(run);
                else result["reruns"] = new JsonArray(run);
            }
            else
            {
                result["command"] = command;
                result["commit"] = _provenance.Commit;
                result["provenance"] = run["provenance"]!.DeepClone();
                result.Remove("reruns");
            }
            WriteSection(section, result);
        }

        void WriteSection(string section, JsonObject json)
        {
            Directory.CreateDirectory(ResultsFolder);
            AtomicFile.WriteAllText(SectionPath(section), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        string CommandFor(string section) =>
            $"oaims experiments --data {data} --out {output} --sections {section} --seed {seed}" +
            (onlyStrategies is not null && section is "tune" or "brain" ? $" --strategies {string.Join(",", onlyStrategies!)}" : "");

        /// <summary>
        /// Writes a section that is still running, marked "unfinished" with what is left: the run at 761595d lost its whole
        /// tuning to a crash no exception reaches (a segfault in TENT's ladder, after five strategies), so each finished
        /// strategy is kept. `--sections tune --strategies` with the rest resumes it; <see cref="Save"/> replaces it at the end.
        /// </summary>
        void SaveProgress(string section, JsonObject result, IEnumerable<string> unfinished)
        {
            var progress = result.DeepClone().AsObject();
            progress["unfinished"] = new JsonArray(unfinished.Select(s => (JsonNode?)s).ToArray());
            progress["command"] ??= CommandFor(section);
            progress["commit"] ??= _provenance.Commit;
            progress["provenance"] ??= _provenance.ToJson();
            WriteSection(section, progress);
        }

        /// <summary>
        /// A section this code left unfinished (<see cref="SaveProgress"/>): the part already saved, its run's record moved
        /// under "earlier_parts" (it was resumed at a later commit of the same code), and what it had left; null when there
        /// is none or the run is not resuming.
        /// </summary>
        (JsonObject Result, List<string> Left)? Unfinished(string section)
        {
            if (!resuming || SavedFromThisCode(section) is not { } saved || saved["unfinished"] is not JsonArray left) return null;
            var remaining = left.Select(s => s!.GetValue<string>()).ToList();
            saved.Remove("unfinished");
            var earlier = new JsonObject { ["command"] = saved["command"]?.DeepClone(), ["commit"] = saved["commit"]?.DeepClone(), ["provenance"] = saved["provenance"]?.DeepClone() };
            if (saved["earlier_parts"] is JsonArray parts) parts.Add(earlier);
            else saved["earlier_parts"] = new JsonArray(earlier);
            foreach (string key in new[] { "command", "commit", "provenance" }) saved.Remove(key);
            Console.Error.WriteLine($"  resuming {section} with {string.Join(", ", remaining)}");
            return (saved, remaining);
        }

        /// <summary>Learning rate chosen by the tuning section (factor x the task's rate), or the default.</summary>
        double RateFor(string strategy, SegmentationTask task)
        {
            if (Saved("tune")?["chosen"]?[strategy] is { } chosen) return chosen.GetValue<double>();
            return AdaptationStrategies.DefaultLearningRate(strategy, task);
        }

        /// <summary>A learner on a fresh copy of the named model (recorded in the run's provenance).</summary>
        OnlineLearner NewLearner(string model, string strategy, double? rate, AdaptationSettings? settings = null)
        {
            string folder = ModelCatalog.Resolve(model);
            _provenance.AddModel(model, folder);
            var (network, card) = Checkpoint.Load(folder);
            return new OnlineLearner(network, card, strategy, rate, settings: settings);
        }

        (StreamResult Stream, long Version, OnlineLearner Learner) Stream(string model, string strategy, double? rate, IReadOnlyList<SliceSample> samples, int clicks, string label,
                                                                         AdaptationSettings? settings = null, ScoredStructures? scored = null, int fieldOfView = 0)
        {
            var learner = NewLearner(model, strategy, rate, settings);
            var stream = OnlineStream.Run(learner, samples, clicks, (n, r) =>
            {
                if (n % 10 == 0 || n == samples.Count) Console.Error.WriteLine($"  {label} [{n}/{samples.Count}] Dice@1 {r.DicePerClick[0][0]:F3}");
            }, scored, fieldOfView);
            return (stream, learner.Version, learner);
        }

        // The tuning score: a rate or choice that helps the first click but spoils later ones loses.
        static double MeanDiceOverClicks(StreamResult stream) => stream.Images.Average(i => i.DicePerClick.Average(d => d[0]));

        static JsonObject Row(StreamResult stream, SegmentationTask task, int clicks, double rate) => Row(stream, task.Structures, clicks, rate);

        static JsonObject Row(StreamResult stream, IReadOnlyList<Structure> structures, int clicks, double rate)
        {
            var row = EvaluationReport.Summary(stream.Images, structures, clicks, stream.Images.Sum(i => i.Seconds));
            row["learning_rate"] = rate;
            row["adaptation"] = StepReport.Summary(stream);
            row["curve"] = new JsonArray(structures.Select((_, s) => (JsonNode?)new JsonArray(EvaluationReport.MeanCurve(stream.Images, s, clicks).Select(v => (JsonNode?)Math.Round(v, 4)).ToArray())).ToArray());
            row["dice_at_1_by_image"] = new JsonArray(stream.Images.Select(i => (JsonNode?)Math.Round(i.DicePerClick[0][0], 4)).ToArray());
            return row;
        }

        /// <summary>
        /// The choices inside MI and PI (<see cref="AdaptationSettings"/>) on the tuning stream, pi+mi at the method's rate:
        /// the defaults, and each alternative measured against them; an alternative is made the default only when it wins here.
        /// Each row also records what the adapted model leaves of the source: its frozen Dice on the source validation
        /// (FLAIR of the unseen patient) and on each tuning patient's own FLAIR (<see cref="BrainProtocol.SeenPatientSource"/>),
        /// after the tuning stream and after that patient's T1c alone (<see cref="SamePatientRetention"/>), so that the
        /// anchors against forgetting show what they cost and what they keep.
        /// </summary>
        public JsonObject Variants()
        {
            var task = SegmentationTask.BrainLesion;
            var tuning = BrainProtocol.TuningStream(Brats, _provenance.Data.Add);
            var sourceValidation = BrainProtocol.SourceValidation(Brats, _provenance.Data.Add);
            var seenSource = BrainProtocol.SeenPatientSource(Brats, _provenance.Data.Add);
            // A row takes up to half an hour on a 2-core CPU, so finished rows are saved and a resumed run goes on after them.
            var progress = Unfinished("variants");
            var result = progress?.Result ?? new JsonObject();
            if (progress is null)
            {
                var (frozenStream, _, frozen) = Stream("brain-flair", "none", null, sourceValidation, 10, "frozen on the source validation");
                frozen.Dispose();
                var (frozenSeenStream, _, frozenSeen) = Stream("brain-flair", "none", null, seenSource, 10, "frozen on the tuning patients' FLAIR");
                frozenSeen.Dispose();
                result["source_validation_frozen"] = Row(frozenStream, task, 10, 0);
                result["tuning_patients_flair_dice_at_5_frozen"] = ByPatientJson(DiceAt5ByPatient(frozenSeenStream));
                result["rows"] = new JsonObject();
            }
            double frozenDice5 = DiceAt5(result["source_validation_frozen"]!.AsObject());
            var frozenSeenDice5 = result["tuning_patients_flair_dice_at_5_frozen"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
            bool Keeps(IDictionary<string, double> after) => after.All(patient => patient.Value >= frozenSeenDice5[patient.Key] - RetentionMargin);
            var rows = result["rows"]!.AsObject();
            var left = progress?.Left ?? VariantRows.ToList();
            foreach (var (variant, position) in left.Select((v, i) => (v, i)))
            {
                var (stream, _, learner) = Stream("brain-flair", "pi+mi", task.AdaptationLearningRate, tuning, 10, variant, AdaptationSettings.Parse(variant));
                var retained = FrozenRun(learner, sourceValidation);
                var retainedSeen = DiceAt5ByPatient(FrozenRun(learner, seenSource));
                learner.Dispose();
                var retainedRow = Row(retained, task, 10, 0);
                double score = MeanDiceOverClicks(stream);
                var row = Row(stream, task, 10, task.AdaptationLearningRate);
                row["mean_dice_over_clicks"] = Math.Round(score, 4);
                row["source_validation_after"] = retainedRow;
                row["tuning_patients_flair_dice_at_5_after"] = ByPatientJson(retainedSeen);
                bool keepsAfterStream = DiceAt5(retainedRow) >= frozenDice5 - RetentionMargin && Keeps(retainedSeen);
                var defaults = rows["default"];
                string? skipped = WhyOwnT1cCheckIsSkipped(keepsAfterStream, score, defaults?["keeps_source"]?.GetValue<bool>(),
                                                          defaults?["mean_dice_over_clicks"]?.GetValue<double>());
                if (skipped is null)
                {
                    var samePatient = SamePatientRetention(variant, seenSource);
                    row["tuning_patients_flair_dice_at_5_after_own_t1c"] = ByPatientJson(samePatient);
                    row["keeps_source"] = Keeps(samePatient);
                }
                else
                {
                    row["own_t1c_check_skipped"] = skipped;
                    row["keeps_source"] = keepsAfterStream ? null : false;
                }
                rows[variant] = row;
                if (position < left.Count - 1) SaveProgress("variants", result, left.Skip(position + 1));
            }
            // In VariantRows order, "default" first: on a tie of tuning scores the rule keeps the defaults. A row whose
            // same-patient check was skipped ("keeps_source" null) scored no better than the defaults, so it is never kept.
            string? kept = null;
            double keptScore = double.NegativeInfinity;
            foreach (string variant in VariantRows.Where(rows.ContainsKey))
            {
                double rowScore = rows[variant]!["mean_dice_over_clicks"]!.GetValue<double>();
                if (rows[variant]!["keeps_source"]?.GetValue<bool>() == true && rowScore > keptScore) (kept, keptScore) = (variant, rowScore);
            }
            result["stream"] = $"the tuning stream (T1c of {string.Join(",", BrainProtocol.SourceTrainingCases)}, every 3rd lesion slice: {tuning.Count} images), pi+mi at {task.AdaptationLearningRate:G2}, file order, 10 clicks; " +
                               $"then the adapted model, frozen, on the source validation ({BrainProtocol.UnseenCase} FLAIR, every lesion slice: {sourceValidation.Count} images) " +
                               $"and on the tuning patients' own FLAIR (the lesion slices the tuning stream skips, every 3rd: {seenSource.Count} images); " +
                               "then, for each tuning patient alone, pi+mi from the source on that patient's T1c (every lesion slice) and the adapted model, frozen, on the same patient's FLAIR (the slices the tuning stream skips, as above)";
            result["rule"] = $"the best mean Dice over clicks 1..10 among the choices whose adapted model keeps Dice@5 within {RetentionMargin} of frozen on the source validation, " +
                             "and on each tuning patient's FLAIR both after the tuning stream and after that patient's T1c alone";
            result["kept"] = kept;
            return result;
        }

        /// <summary>
        /// The retention bar's workflow on the tuning patients: one patient in two contrasts. For each tuning patient, pi+mi
        /// from the source on that patient's whole T1c (<see cref="BrainProtocol.TuningPatientTarget"/>), then the adapted
        /// model, frozen, on the same patient's FLAIR. The interleaved stream hides this: after it pat0003's FLAIR kept
        /// 0.850 of 0.917, after pat0003's T1c alone 0.276 (docs/results/runs-2026-12-01).
        /// </summary>
        SortedDictionary<string, double> SamePatientRetention(string variant, IReadOnlyList<SliceSample> seenSource)
        {
            var task = SegmentationTask.BrainLesion;
            var after = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (string patient in BrainProtocol.SourceTrainingCases)
            {
                var target = BrainProtocol.TuningPatientTarget(Brats, patient, _provenance.Data.Add);
                var (_, _, learner) = Stream("brain-flair", "pi+mi", task.AdaptationLearningRate, target, 10, $"{variant}, {patient} T1c alone", AdaptationSettings.Parse(variant));
                using (learner) after[patient] = DiceAt5ByPatient(FrozenRun(learner, seenSource.Where(s => BrainProtocol.PatientOf(s.Id) == patient).ToList()))[patient];
            }
            return after;
        }

        // The retention bar of issue 11: what a workspace learns on a new contrast may cost the source at most this much Dice@5.
        const double RetentionMargin = 0.05;

        static double DiceAt5(JsonObject row) => row["dice_at"]!["5"]!.GetValue<double>();

        /// <summary>Mean Dice@5 per patient.</summary>
        static SortedDictionary<string, double> DiceAt5ByPatient(StreamResult stream) =>
            new(stream.Images.GroupBy(i => BrainProtocol.PatientOf(i.Id)).ToDictionary(g => g.Key, g => g.Average(i => i.DicePerClick[4][0])), StringComparer.Ordinal);

        static JsonObject ByPatientJson(IDictionary<string, double> dice) =>
            new(dice.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value, 4))));

        // "default" first (on a tie of tuning scores the rule keeps it), then each alternative to the defaults
        // (AdaptationSettings.Parse reads every entry). EWC is not here: it needs the source importance beside the shipped
        // weights (docs/results/runs-2026-11-30 has its runs).
        static readonly string[] VariantRows = ["default", "mi-decay=off", "anchors=newest", "stage2=real", "l2sp=0", "l2sp=1", "l2sp=3", "l2sp=10", "adam-eps=1e-3"];

        /// <summary>
        /// Each adaptive strategy's rate from {0.3, 1, 3} x the task rate, extended a step at a time past an edge
        /// that scores best, chosen on every 2nd image of the protocol's tuning stream (T1c of the source-training
        /// patients, never the evaluation patient: <see cref="BrainProtocol"/>; halved to fit six strategies' ladders
        /// into the CPU budget), scored by the mean Dice over all ten clicks so that a rate which helps the first click
        /// but spoils later ones loses.
        /// </summary>
        public JsonObject Tune()
        {
            var task = SegmentationTask.BrainLesion;
            var tuning = EverySecond(BrainProtocol.TuningStream(Brats, _provenance.Data.Add));
            var progress = Unfinished("tune");
            var result = progress?.Result ?? Previous("tune", "scores", "chosen", "commits", "failed");
            var strategies = progress?.Left ?? Adaptive.Where(Selected).ToList();
            foreach (var (strategy, position) in strategies.Select((s, i) => (s, i)))
            {
                var score = new SortedDictionary<int, double>();
                var failed = new SortedDictionary<int, string>();
                double RateAt(int step) => task.AdaptationLearningRate * RateLadder[step];
                string RateText(int step) => RateAt(step).ToString("G3");
                void Score(int step)
                {
                    double rate = RateAt(step);
                    try
                    {
                        var (stream, _, learner) = Stream("brain-flair", strategy, rate, tuning, 10, $"{strategy} lr {rate:G2}");
                        learner.Dispose();
                        score[step] = MeanDiceOverClicks(stream);
                    }
                    catch (ExternalException error)
                    {
                        // LibTorch failed inside one rate's stream (the run at f36b0fb lost an hour of tuning to one): the
                        // rate is recorded as failed and the ladder goes on without it, so the other rates still count.
                        failed[step] = error.Message.Split('\n')[0];
                        Console.Error.WriteLine($"  {strategy} lr {rate:G2} FAILED: {failed[step]}");
                    }
                }
                bool Tried(int step) => score.ContainsKey(step) || failed.ContainsKey(step);
                for (int step = FirstRate; step <= LastRate; step++) Score(step);
                int Best() => score.MaxBy(kv => kv.Value).Key;
                while (score.Count > 0 && Best() == score.Keys.First() && Best() > 0 && !Tried(Best() - 1)) Score(Best() - 1);
                while (score.Count > 0 && Best() == score.Keys.Last() && Best() < RateLadder.Length - 1 && !Tried(Best() + 1)) Score(Best() + 1);
                result["scores"]![strategy] = new JsonObject(score.Select(kv => KeyValuePair.Create(RateText(kv.Key), (JsonNode?)Math.Round(kv.Value, 4))));
                if (failed.Count > 0)
                    result["failed"]![strategy] = new JsonObject(failed.Select(kv => KeyValuePair.Create(RateText(kv.Key), (JsonNode?)kv.Value)));
                else result["failed"]!.AsObject().Remove(strategy);
                // No rate finished: the strategy keeps its default rate, and the page says so beside its failures.
                if (score.Count > 0) result["chosen"]![strategy] = RateAt(Best());
                else result["chosen"]!.AsObject().Remove(strategy);
                result["commits"]![strategy] = _provenance.Commit;
                if (position < strategies.Count - 1) SaveProgress("tune", result, strategies.Skip(position + 1));
            }
            result["stream"] = $"BraTS 2013 T1c of the source-training patients {string.Join(",", BrainProtocol.SourceTrainingCases)} (every 2nd image of the tuning stream, which keeps every 3rd lesion slice: {tuning.Count} images; never the evaluation patient {BrainProtocol.UnseenCase}), file order, 10 clicks";
            result["score"] = "mean Dice over clicks 1..10";
            result["grid"] = "{0.3, 1, 3} x the task's rate, extended by factors of ~3 while the best rate sits on an edge";
            return result;
        }

        bool Selected(string strategy) => onlyStrategies is null || onlyStrategies.Contains(strategy);

        /// <summary>The section's saved JSON when only some strategies are re-run (their rows are replaced), else empty objects.</summary>
        JsonObject Previous(string section, params string[] objects)
        {
            var previous = (onlyStrategies is not null ? Saved(section) : null) ?? new JsonObject();
            foreach (string name in objects) previous[name] ??= new JsonObject();
            return previous;
        }

        /// <summary>FLAIR-trained model on the reported stream (T1c of the patient it never saw, every lesion slice), every strategy.</summary>
        public JsonObject Brain() =>
            EveryStrategy("brain", BrainProtocol.EvaluationStream(Brats, _provenance.Data.Add),
                $"BraTS 2013 T1c of {BrainProtocol.UnseenCase}, the patient neither the source model nor the tuning saw, every lesion slice");

        /// <summary>The same on T1c of the patients the source model was trained on (FLAIR): seen-patient figures, reported apart.</summary>
        public JsonObject BrainSeenPatients() =>
            EveryStrategy("brain-seen", EverySecond(BrainProtocol.SeenPatientStream(Brats, _provenance.Data.Add)),
                $"BraTS 2013 T1c of {string.Join(",", BrainProtocol.SourceTrainingCases)} (SEEN patients: the source model trained on their FLAIR), lesion slices the tuning stream skips (every 3rd lesion slice, then every 2nd of those to fit the CPU budget)");

        JsonObject EveryStrategy(string section, List<SliceSample> samples, string description)
        {
            var task = SegmentationTask.BrainLesion;
            var result = Previous(section, "rows");
            var rows = result["rows"]!.AsObject();
            foreach (string strategy in AdaptationStrategies.Names.Where(Selected))
            {
                double rate = RateFor(strategy, task);
                var (stream, _, learner) = Stream("brain-flair", strategy, rate, samples, 10, strategy);
                learner.Dispose();
                rows[strategy] = Row(stream, task, 10, rate);
                rows[strategy]!["commit"] = _provenance.Commit;
            }
            result["stream"] = $"{description} ({samples.Count} images), file order, 10 clicks";
            return result;
        }

        /// <summary>PI+MI on the T1c stream in file order, random order and hardest-first.</summary>
        public JsonObject Order()
        {
            var task = SegmentationTask.BrainLesion;
            var samples = EverySecond(BrainProtocol.EvaluationStream(Brats, _provenance.Data.Add));
            var rows = new JsonObject();
            double rate = RateFor("pi+mi", task);
            var (frozen, _) = Checkpoint.Load(ModelCatalog.Resolve("brain-flair"));
            var frozenDice = InteractiveEvaluator.Frozen(frozen, task, samples, 1).Select(r => r.DicePerClick[0][0]).ToList();
            foreach (string order in StreamOrder.Names)
            {
                var ordered = StreamOrder.Apply(order, samples, seed, _ => frozenDice);
                var (stream, _, learner) = Stream("brain-flair", "pi+mi", rate, ordered, 10, order);
                learner.Dispose();
                rows[order] = Row(stream, task, 10, rate);
            }
            return new JsonObject { ["stream"] = $"every 2nd image of the reported stream (T1c of {BrainProtocol.UnseenCase}: {samples.Count} images, to fit the CPU budget), pi+mi, 10 clicks, random seed {seed}", ["rows"] = rows };
        }

        /// <summary>Source (FLAIR) validation with the frozen model, after adapting on the T1c stream, and after re-adapting on source images.</summary>
        public JsonObject Retention()
        {
            var task = SegmentationTask.BrainLesion;
            var sourceValidation = BrainProtocol.SourceValidation(Brats, _provenance.Data.Add);
            var sourceTrain = EverySecond(TaskData.Load(task, Brats, BrainProtocol.SourceModality, BrainProtocol.SourceTrainingCases, null, forTraining: false, read: _provenance.Data.Add));
            // The product's default rate, not the tuned one: retention is a promise about what a workspace does as shipped.
            double rate = AdaptationStrategies.DefaultLearningRate("pi+mi", task);
            var rows = new JsonObject();

            var (frozenStream, _, frozen) = Stream("brain-flair", "none", null, sourceValidation, 10, "frozen");
            frozen.Dispose();
            rows["frozen"] = Row(frozenStream, task, 10, 0);

            var target = BrainProtocol.EvaluationStream(Brats, _provenance.Data.Add);
            var (_, _, adapted) = Stream("brain-flair", "pi+mi", rate, target, 10, "adapt on T1c");
            rows["adapted, no re-adapt"] = Row(FrozenRun(adapted, sourceValidation), task, 10, 0);
            OnlineStream.Run(adapted, sourceTrain, 10, (n, _) => { if (n % 20 == 0) Console.Error.WriteLine($"  re-adapt [{n}/{sourceTrain.Count}]"); });
            rows["re-adapted on source"] = Row(FrozenRun(adapted, sourceValidation), task, 10, 0);
            adapted.Dispose();

            // The brain section reports pi+mi at the tuned rate, which a workspace may be created with: what that keeps.
            double tuned = RateFor("pi+mi", task);
            if (tuned != rate)
            {
                var (_, _, atTunedRate) = Stream("brain-flair", "pi+mi", tuned, target, 10, "adapt on T1c at the tuned rate");
                using (atTunedRate) rows[$"adapted at the tuned rate {tuned:G2}, no re-adapt"] = Row(FrozenRun(atTunedRate, sourceValidation), task, 10, 0);
            }
            return new JsonObject
            {
                ["stream"] = $"source validation: {BrainProtocol.UnseenCase} FLAIR, every lesion slice ({sourceValidation.Count} images), evaluated frozen; adaptation: pi+mi at the product's default rate ({rate:G2}) and settings on the reported T1c stream ({target.Count}), and at the rate the tuning section chose when it differs; re-adaptation: pi+mi on every 2nd evaluation slice of pat0001-0003 FLAIR ({sourceTrain.Count} images)",
                ["rows"] = rows,
            };
        }

        /// <summary>
        /// Volumes (docs/volume.md): click-free pre-labels of the unseen patient's T1c volume from the source model and from
        /// the model adapted (pi+mi) on the tuning stream, which never saw that patient; then the volume protocol on that
        /// volume (click, propagate, each further click on the largest 3D error, propagate again), frozen and pi+mi, against
        /// the same clicks spent slice by slice.
        /// </summary>
        public JsonObject Volume()
        {
            var task = SegmentationTask.BrainLesion;
            const int clicks = 10;
            double rate = RateFor("pi+mi", task);
            var (image, truth) = VolumeEvaluation.ReadCase(Brats, BrainProtocol.UnseenCase, BrainProtocol.TargetModality, _provenance.Data.Add);

            var prelabels = new JsonObject();
            var (sourceNetwork, _) = Checkpoint.Load(ModelCatalog.Resolve("brain-flair"));
            prelabels["source model"] = PrelabelScore(new VolumeProposer(sourceNetwork, task).Propose(image), truth, image.Dims);
            var tuning = BrainProtocol.TuningStream(Brats, _provenance.Data.Add);
            var (_, version, adapted) = Stream("brain-flair", "pi+mi", rate, tuning, 10, "adapt on the tuning stream");
            prelabels["adapted on the tuning stream"] = PrelabelScore(new VolumeProposer(adapted.Network, task).Propose(image), truth, image.Dims);
            prelabels["adapted on the tuning stream"]!["model_version"] = version;
            adapted.Dispose();

            var protocol = new JsonObject();
            foreach (string strategy in new[] { "none", "pi+mi" })
            {
                VolumeResult Run(PropagationSeeding? seeding)
                {
                    using var learner = NewLearner("brain-flair", strategy, strategy == "none" ? null : rate);
                    Console.Error.WriteLine($"  volume protocol, {strategy}, {(seeding is null ? "slice by slice" : "propagation")}");
                    return VolumeProtocol.Run(learner, BrainProtocol.UnseenCase, image, truth, clicks, seeding);
                }
                var propagated = Run(PropagationSeeding.Default);
                protocol[strategy] = new JsonObject
                {
                    ["learning_rate"] = strategy == "none" ? 0 : rate,
                    ["propagation"] = VolumeEvaluation.Curves([propagated], clicks),
                    ["slice_by_slice"] = VolumeEvaluation.Curves([Run(seeding: null)], clicks),
                    ["proposed_slices"] = propagated.ProposedSlices,
                    ["seconds"] = Math.Round(propagated.Seconds, 1),
                };
            }
            return new JsonObject
            {
                ["stream"] = $"BraTS 2013 T1c volume of {BrainProtocol.UnseenCase} (the patient neither the source model nor the tuning saw), " +
                             $"{image.Dims[0]}x{image.Dims[1]}x{image.Dims[2]}; adaptation for pre-labels: pi+mi at {rate:G2} on the tuning stream ({tuning.Count} images); " +
                             $"volume protocol: {clicks} clicks, seeding {PropagationSeeding.Default.Name}",
                ["prelabels"] = prelabels,
                ["protocol"] = protocol,
            };
        }

        /// <summary>3D Dice of a volume's pre-labels, and on how many lesion-free slices they put lesion.</summary>
        static JsonObject PrelabelScore(byte[] labels, byte[] truth, int[] dims)
        {
            int plane = dims[0] * dims[1], depth = dims[2], falseSlices = 0, lesionSlices = 0;
            for (int z = 0; z < depth; z++)
            {
                bool hasTruth = truth.AsSpan(z * plane, plane).ContainsAnyExcept((byte)0);
                bool hasLabel = labels.AsSpan(z * plane, plane).ContainsAnyExcept((byte)0);
                if (hasTruth) lesionSlices++;
                else if (hasLabel) falseSlices++;
            }
            return new JsonObject
            {
                ["dice_3d"] = Math.Round(VolumeProtocol.Dice3D(truth, labels), 4),
                ["lesion_slices"] = lesionSlices,
                ["lesion_free_slices_labelled"] = falseSlices,
            };
        }

        /// <summary>Every second image: halves the cost of the order and retention streams on a 2-core CPU.</summary>
        static List<SliceSample> EverySecond(IReadOnlyList<SliceSample> samples) => StreamOrder.EveryNth(samples, 2);

        /// <summary>Evaluates a learner's current weights without changing them.</summary>
        static StreamResult FrozenRun(OnlineLearner learner, IReadOnlyList<SliceSample> samples)
        {
            string folder = Path.Combine(Path.GetTempPath(), "oaims-frozen-" + Guid.NewGuid().ToString("N"));
            try
            {
                learner.ExportCheckpoint(folder, "adapted");
                var (network, card) = Checkpoint.Load(folder);
                using var frozen = new OnlineLearner(network, card, "none");
                return OnlineStream.Run(frozen, samples, 10);
            }
            finally { Directory.Delete(folder, recursive: true); }
        }

        /// <summary>
        /// fundus-odoc on another camera and hospital: DRIONS-DB, full frames with the optic disc marked (no cup), frozen and
        /// adapting at the product's rate: every frame seen whole (nothing was chosen on them); then the test split with a
        /// field of view whose side gives DRIONS discs the training crops' scale, derived from the train splits' mean disc
        /// areas (a label statistic of the train split; no Dice was looked at to choose it).
        /// </summary>
        public JsonObject Drions()
        {
            var (_, card) = Checkpoint.Load(ModelCatalog.Resolve("fundus-odoc"));
            var task = card.ToTask();
            var images = TaskData.Load(task, DrionsDb, null, null, null, forTraining: false, read: _provenance.Data.Add);
            var test = TaskData.Load(task, DrionsDb, null, null, "test", forTraining: false, read: _provenance.Data.Add);
            var scored = ScoredStructures.For(task, DrionsDb);
            int side = TrainingScaleWindow();
            var rows = new JsonObject();
            foreach (var (stream, fieldOfView, name) in new[] { (images, 0, "all frames, whole"), (test, side, $"test split, field of view {side}") })
                foreach (string strategy in new[] { "none", "pi+mi" })
                {
                    double rate = AdaptationStrategies.DefaultLearningRate(strategy, task);
                    var (result, _, learner) = Stream("fundus-odoc", strategy, rate, stream, 10, $"drions {name} {strategy}", scored: scored, fieldOfView: fieldOfView);
                    learner.Dispose();
                    rows[$"{name} | {strategy}"] = Row(result, scored.Structures, 10, rate);
                }
            return new JsonObject
            {
                ["stream"] = $"DRIONS-DB: all {images.Count} frames (train and test split) seen whole, then the {test.Count} test frames with a field of view of {side} px " +
                             "(512 x the square root of the mean disc area of the DRIONS-DB train split over that of the Drishti-GS1 train split, from their manifests); " +
                             "file order, 10 clicks on the disc (the only structure annotated; rim and cup predictions count as disc)",
                ["field_of_view"] = side,
                ["rows"] = rows,
            };
        }

        // The window in which a DRIONS-DB disc is as wide as a Drishti-GS1 disc in the model's 512-pixel training crops.
        int TrainingScaleWindow()
        {
            double MeanTrainDisc(string folder)
            {
                _provenance.Data.Add(Path.Combine(folder, "manifest.csv"));
                return FundusImages.MeanDiscPixels(folder, "train");
            }
            return (int)Math.Round(512 * Math.Sqrt(MeanTrainDisc(DrionsDb) / MeanTrainDisc(Drishti)));
        }

        /// <summary>fundus-odoc on the Drishti-GS1 test split under synthetic shifts, frozen and adapting.</summary>
        public JsonObject Fundus()
        {
            var (_, card) = Checkpoint.Load(ModelCatalog.Resolve("fundus-odoc"));
            var task = card.ToTask();
            var test = EverySecond(TaskData.Load(task, Drishti, null, null, "test", forTraining: false, read: _provenance.Data.Add));
            var rows = new JsonObject();
            foreach (string shift in new[] { "gamma:0.5+colour:0.8", "blur:3" })
            {
                var shifted = test.Select(SyntheticShift.Parse(shift).Apply).ToList();
                foreach (string strategy in new[] { "none", "pi+mi" })
                {
                    double rate = AdaptationStrategies.DefaultLearningRate(strategy, task);
                    var (stream, _, learner) = Stream("fundus-odoc", strategy, rate, shifted, 10, $"{shift} {strategy}");
                    learner.Dispose();
                    rows[$"{shift} | {strategy}"] = Row(stream, task, 10, rate);
                }
            }
            return new JsonObject { ["stream"] = $"every 2nd image of the Drishti-GS1 test split ({test.Count} images, to fit the CPU budget; unshifted figures: README), file order, 10 clicks; shifts applied to every image", ["rows"] = rows };
        }
    }
}

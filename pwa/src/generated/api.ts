/**
 * Generated from the server's OpenAPI document by `make api-types`; do not edit.
 * A wire shape is changed in its msgspec Struct on the server, then regenerated here
 * (docs/api/README.md, "How a shape reaches the PWA").
 */

export type paths = Record<string, never>;
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** AccessLogEntryOut */
        AccessLogEntryOut: {
            action: string;
            actionLabel: string;
            actorId: string | null;
            actorJobTypeLabel: string | null;
            actorLogin: string | null;
            actorName: string | null;
            actorOfficeName: string | null;
            /** Format: date-time */
            at: string;
            count: number | null;
            deviceId: string | null;
            deviceLabel: string | null;
            ip: string | null;
            kind: string;
            outcome: string;
            seq: number;
            targetType: string | null;
        };
        /** AccessLogOut */
        AccessLogOut: {
            entries: components["schemas"]["AccessLogEntryOut"][];
            nextBefore: number | null;
            room: components["schemas"]["RoomRef"];
        };
        /** ActivationIn */
        accounts_controllers_ActivationIn: {
            password: string;
        };
        /** ActivationLetterOut */
        ActivationLetterOut: {
            cityName: string;
            code: string;
            contactName: string;
            contactPhone: string;
            expires: string;
            link: string;
            loginId: string;
            name: string;
            officeName: string;
            qrImage: string;
            /** Format: uuid */
            userId: string;
        };
        /** ActivationOut */
        ActivationOut: {
            loginId: string;
            name: string;
            purpose: string;
        };
        /** ActivationQueuedOut */
        ActivationQueuedOut: {
            queued: number;
        };
        /** AddresseeChange */
        AddresseeChange: {
            data: components["schemas"]["AddresseeData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "addressee";
            version: number;
        };
        /** AddresseeData */
        AddresseeData: {
            answerCommentId: string | null;
            answeredAt: string | null;
            asksAnswer: boolean;
            /** Format: uuid */
            authorId: string;
            commentId: string | null;
            /** Format: date-time */
            createdAt: string;
            doneAt: string | null;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            postId: string;
            /** Format: uuid */
            roomId: string;
            /** Format: uuid */
            userId: string;
        };
        /** AddresseeDone */
        AddresseeDone: {
            /** @default true */
            done?: boolean;
            /** Format: uuid */
            id: string;
        };
        /** AddresseeDoneMutation */
        AddresseeDoneMutation: {
            args: components["schemas"]["AddresseeDone"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "addressee.done";
        };
        /** AdminActionOut */
        AdminActionOut: {
            action: string;
            count?: number | null;
            /** @default true */
            done?: boolean;
            /** @default false */
            mailed?: boolean;
            /** Format: uuid */
            userId: string;
        };
        /** ApplicationIn */
        ApplicationIn: {
            /** @enum {string} */
            kind: "idCareManager" | "idStop" | "roomOpen" | "roomJoin" | "memberRemove" | "roomClose";
            payload: {
                [key: string]: unknown;
            };
        };
        /**
         * ApplicationKind
         * @description The manual's request forms, named as the manual names them, with their 様式 numbers.
         * @enum {string}
         */
        ApplicationKind: "idCareManager" | "idInvited" | "idStop" | "roomOpen" | "roomJoin" | "memberRemove" | "roomClose";
        /** ApplicationOut */
        ApplicationOut: {
            ageDays: number;
            applicant: components["schemas"]["UserRef"] | null;
            /** Format: date-time */
            createdAt: string;
            forms: string[];
            history: components["schemas"]["HistoryOut"][];
            /** Format: uuid */
            id: string;
            invitationId: string | null;
            kind: string;
            kindLabel: string;
            office: components["schemas"]["OfficeRef"] | null;
            officePledge?: components["schemas"]["OfficePledgeOut"] | null;
            payload: {
                [key: string]: unknown;
            };
            reason: string | null;
            reviewedAt: string | null;
            reviewer: components["schemas"]["UserRef"] | null;
            room: components["schemas"]["RoomRef"] | null;
            scheduledStop?: components["schemas"]["ScheduledStopOut"] | null;
            state: string;
            subjectUser: components["schemas"]["UserRef"] | null;
            /** Format: date-time */
            updatedAt: string;
            users: components["schemas"]["UserRef"][];
        };
        /**
         * ApplicationState
         * @enum {string}
         */
        ApplicationState: "submitted" | "approved" | "rejected" | "withdrawn";
        /** AppliedOut */
        AppliedOut: {
            /** Format: uuid */
            applicationId: string;
            state: string;
        };
        /** ApproveIn */
        ApproveIn: {
            /** @default  */
            note?: string;
            roomId?: string | null;
        };
        /** AttachmentOut */
        AttachmentOut: {
            contentType: string;
            height: number;
            /** Format: uuid */
            id: string;
            size: number;
            width: number;
        };
        /** AttentionClear */
        AttentionClear: {
            /** Format: uuid */
            roomId: string;
            upToVersion: number;
        };
        /** AttentionClearMutation */
        AttentionClearMutation: {
            args: components["schemas"]["AttentionClear"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "attention.clear";
        };
        /** BreakGlassEntryOut */
        BreakGlassEntryOut: {
            adminName: string;
            /** Format: date-time */
            at: string;
            purpose: string;
            reason: string;
        };
        /** BreakGlassIn */
        BreakGlassIn: {
            reason: string;
            since?: string | null;
            until?: string | null;
        };
        /**
         * CareLevel
         * @description 介護保険（認定） as 様式6 lists it.
         * @enum {string}
         */
        CareLevel: "none" | "applying" | "support_1" | "support_2" | "care_1" | "care_2" | "care_3" | "care_4" | "care_5";
        /** ChangeOut */
        ChangeOut: {
            actorId: string | null;
            actorName: string;
            actorRole: string;
            after: string | null;
            /** Format: date-time */
            at: string;
            before: string | null;
            /** @enum {string} */
            entityType: "user" | "office" | "patient" | "room";
            field: string;
            note: string | null;
        };
        /** ClerkIn */
        ClerkIn: {
            email: string;
            name: string;
            nameKana?: string | null;
            /** @default  */
            phone?: string;
        };
        /** ClerkOut */
        ClerkOut: {
            activatedAt: string | null;
            /** Format: date-time */
            createdAt: string;
            email: string;
            /** Format: uuid */
            id: string;
            lastSignInAt: string | null;
            loginId: string;
            name: string;
            nameKana: string;
            officeName: string | null;
            role: string;
            roleLabel: string;
            status: string;
            statusLabel: string;
            stoppedAt: string | null;
        };
        /** ClerkRetireIn */
        ClerkRetireIn: {
            /** @default 異動・退職 */
            reason?: string;
        };
        /** ClosingRequestOut */
        ClosingRequestOut: {
            note: string;
            /** Format: uuid */
            postId: string;
            reason: string | null;
            reasonLabel: string;
            /** Format: date-time */
            requestedAt: string;
            requester: components["schemas"]["UserRef"];
            room: components["schemas"]["RoomRef"];
        };
        /** CommentChange */
        CommentChange: {
            data: components["schemas"]["CommentData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "comment";
            version: number;
        };
        /** CommentCreate */
        CommentCreate: {
            /** @description 宛先: members of the room this is addressed to (user ids). */
            addresseeIds?: string[];
            /** @default false */
            asksAnswer?: boolean;
            body: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            postId: string;
        };
        /** CommentCreateMutation */
        CommentCreateMutation: {
            args: components["schemas"]["CommentCreate"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "comment.create";
        };
        /** CommentData */
        CommentData: {
            addresseeIds: string[];
            asksAnswer: boolean;
            /** Format: uuid */
            authorId: string;
            body: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            postId: string;
            /** Format: uuid */
            roomId: string;
            version: number;
        };
        /** CommentDelete */
        CommentDelete: {
            /** Format: uuid */
            id: string;
        };
        /** CommentDeleteMutation */
        CommentDeleteMutation: {
            args: components["schemas"]["CommentDelete"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "comment.delete";
        };
        /** ConsentIn */
        ConsentIn: {
            /** Format: date */
            date: string;
            explainedBy: string;
            /** @default  */
            explainerOffice?: string;
            proxyName?: string | null;
            proxyRelationship?: string | null;
            scanAttachmentId?: string | null;
            signedBy: components["schemas"]["SignedBy"];
        };
        /** ConsentOut */
        ConsentOut: {
            /** Format: date */
            date: string;
            explainedBy: string;
            explainerOffice: string;
            /** Format: uuid */
            id: string;
            proxyName: string | null;
            proxyRelationship: string | null;
            /** Format: date-time */
            recordedAt: string;
            scanAttachmentId: string | null;
            scanContentType: string | null;
            signedBy: string;
            withdrawalReason: string | null;
            withdrawnOn: string | null;
        };
        /** ConsentWithdrawIn */
        ConsentWithdrawIn: {
            /** Format: date */
            date: string;
            reason: string;
        };
        /** CountOut */
        CountOut: {
            count: number;
            key: string | null;
            label: string;
        };
        /** CsrfOut */
        CsrfOut: {
            csrfToken: string;
        };
        /** DeskAccountOut */
        DeskAccountOut: {
            activatedAt: string | null;
            devices: components["schemas"]["DeskDeviceOut"][];
            email: string;
            factors: components["schemas"]["FactorsOut"];
            lastFailedSignInAt: string | null;
            lock: components["schemas"]["LockOut"];
            mayAct: boolean;
            mayActReason: string | null;
            passwordChangedAt: string | null;
            person: components["schemas"]["DeskPersonOut"];
            phone: string;
            resetLinkExpiresAt: string | null;
            sessions: components["schemas"]["DeskSessionOut"][];
            stoppedAt: string | null;
        };
        /** DeskActionIn */
        DeskActionIn: {
            /** @default  */
            note?: string;
        };
        /** DeskDeviceOut */
        DeskDeviceOut: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            label: string;
            /** Format: date-time */
            lastSeenAt: string;
            sessions: number;
            wipeDeliveredAt: string | null;
            wipeReason: string | null;
            wipeRequestedAt: string | null;
        };
        /** DeskPersonOut */
        DeskPersonOut: {
            devices: number;
            hasEmail: boolean;
            /** Format: uuid */
            id: string;
            jobType: string;
            jobTypeLabel: string;
            lastSignInAt: string | null;
            locked: boolean;
            loginId: string;
            name: string;
            nameKana: string;
            officeId: string | null;
            officeName: string | null;
            role: string;
            roleLabel: string;
            status: string;
            statusLabel: string;
        };
        /** DeskSessionOut */
        DeskSessionOut: {
            /** Format: date-time */
            createdAt: string;
            deviceId: string | null;
            /** Format: date-time */
            expiresAt: string;
            factor: string | null;
            /** Format: uuid */
            id: string;
            ip: string;
            /** Format: date-time */
            lastSeenAt: string;
            stage: string;
            userAgent: string;
        };
        /** DeviceOut */
        DeviceOut: {
            /** Format: date-time */
            createdAt: string;
            current: boolean;
            /** Format: uuid */
            id: string;
            label: string;
            /** Format: date-time */
            lastSeenAt: string;
            wipeRequested: boolean;
        };
        /** DirectoryEntryOut */
        DirectoryEntryOut: {
            /** Format: uuid */
            id: string;
            jobType: string;
            jobTypeLabel: string;
            name: string;
            nameKana: string;
            officeId: string | null;
            officeKind: string | null;
            officeName: string | null;
        };
        /** DocumentOut */
        DocumentOut: {
            contentType: string;
            /** Format: uuid */
            id: string;
            name: string;
            pages: number;
            size: number;
        };
        /** DocumentRef */
        DocumentRef: {
            /** Format: uuid */
            id: string;
            name: string;
            pages: number;
            size: number;
        };
        /** DuplicateOut */
        DuplicateOut: {
            /** Format: date */
            birthDate: string;
            insuredNumber: string;
            matchedOn: ("insuredNumber" | "nameAndBirthDate")[];
            name: string;
            nameKana: string;
            /** Format: uuid */
            patientId: string;
            room: components["schemas"]["RoomRef"] | null;
        };
        /**
         * Era
         * @enum {string}
         */
        Era: "meiji" | "taisho" | "showa" | "heisei" | "reiwa";
        /** EraDateIn */
        EraDateIn: {
            day: number;
            era: components["schemas"]["Era"];
            month: number;
            year: number;
        };
        /** EraDateOut */
        EraDateOut: {
            day: number;
            era: string;
            eraLabel: string;
            month: number;
            text: string;
            year: number;
        };
        /** Error */
        Error: {
            /** @description pledge_outdated: the pledge version shown today. */
            currentVersion?: string;
            /** @description invalid_input from request validation: each problem found. */
            details?: components["schemas"]["ValidationDetail"][];
            /** @description possible_duplicate_patient: the patients already on record and their rooms (a closed one can be reopened). */
            duplicates?: components["schemas"]["PossibleDuplicate"][];
            /**
             * @description Machine-readable code, e.g. invalid_input, invalid_json, unauthenticated, unlock_required, device_mismatch, device_required, csrf, api_navigation, forbidden, not_found, conflict, wrong_step, body_too_large, rate_limited.
             * @example invalid_input
             */
            error: string;
            /** @description invalid_subscription, invalid_quiet_hours: the field. */
            field?: string;
            /** @description body_too_large: the route's body limit in bytes. */
            limitBytes?: number;
            /**
             * @description Human-readable text in the request's language (Japanese or English).
             * @example 入力内容に誤りがあります。
             */
            message: string;
            /** @description room_requirements_missing: what the room still needs. */
            missing?: components["schemas"]["Requirement"][];
            /** @description room_choices_invalid: rooms the person is in, not chosen for. */
            missingRooms?: string[];
            /** @description weak_password: each rule the password breaks. */
            reasons?: components["schemas"]["Requirement"][];
            /** @description members_not_eligible: each user refused, and why. */
            refused?: components["schemas"]["Refusal"][];
            /** @description rate_limited, too_many_connections: seconds to wait (also in Retry-After). */
            retryAfter?: number;
            /** @description application_not_submitted: the application's state. */
            state?: string;
            /** @description unknown_titles: the ids not in this room. */
            titleIds?: string[];
            /** @description room_choices_invalid: rooms the person is not in. */
            unknownRooms?: string[];
            /** @description device_wiped: always true; the PWA wipes its data. */
            wipe?: boolean;
        };
        /** FactorsOut */
        FactorsOut: {
            passkeys: components["schemas"]["PasskeyOut"][];
            totp: boolean;
        };
        /** FormOut */
        FormOut: {
            addressee: string | null;
            blank: boolean;
            date: string | null;
            dateEra: components["schemas"]["EraDateOut"] | null;
            fields: {
                [key: string]: unknown;
            };
            form: string;
            source: {
                [key: string]: string;
            };
            subtitle: string;
            text: string;
            title: string;
        };
        /** Health */
        Health: {
            database: string;
            status: string;
            version: string;
        };
        /** HelpContactIn */
        HelpContactIn: {
            /** @default  */
            address?: string;
            /** @default  */
            email?: string;
            /** @default  */
            hours?: string;
            name: string;
            /** @default  */
            note?: string;
            /** @default  */
            phone?: string;
            /** @default  */
            postalCode?: string;
            /** @default false */
            public?: boolean;
            title: string;
        };
        /** HelpContactOut */
        HelpContactOut: {
            address: string;
            email: string;
            hours: string;
            name: string;
            note: string;
            phone: string;
            postalCode: string;
            public: boolean;
            title: string;
        };
        /** HelpIn */
        HelpIn: {
            cityName: string;
            contacts: components["schemas"]["HelpContactIn"][];
            devices?: string | null;
            links?: components["schemas"]["HelpLinkIn"][] | null;
            pledge: components["schemas"]["PledgeTextsIn"];
            pledgeItems?: string | null;
            rules: string;
            signInNote?: string | null;
            terms?: components["schemas"]["TermsIn"] | null;
        };
        /** HelpLinkIn */
        HelpLinkIn: {
            title: string;
            url: string;
        };
        /** HelpLinkOut */
        HelpLinkOut: {
            title: string;
            url: string;
        };
        /** HelpOut */
        HelpOut: {
            cityName: string;
            contacts: components["schemas"]["HelpContactOut"][];
            devices: string;
            links: components["schemas"]["HelpLinkOut"][];
            pledge: components["schemas"]["PledgeTextsOut"];
            pledgeItems: string;
            rules: string;
            signInNote: string;
            terms: components["schemas"]["TermsOut"];
            updatedAt: string | null;
        };
        /** HistoryOut */
        HistoryOut: {
            action: string;
            actionLabel: string;
            actorId: string | null;
            actorName: string | null;
            /** Format: date-time */
            at: string;
            note: string | null;
        };
        /** ImportJobOut */
        ImportJobOut: {
            applied: boolean;
            dryRun: boolean;
            files: {
                [key: string]: string;
            };
            /** Format: uuid */
            id: string;
            issued: components["schemas"]["IssuedPersonOut"][];
            notes: string[];
            progress: components["schemas"]["ImportProgressOut"];
            report: components["schemas"]["ImportReportOut"] | null;
            /** @enum {string} */
            state: "running" | "done" | "failed";
        };
        /** ImportKindOut */
        ImportKindOut: {
            created: number;
            kind: string;
            unchanged: number;
            updated: number;
        };
        /** ImportProblemOut */
        ImportProblemOut: {
            code: string;
            column: string | null;
            file: string;
            messageEn: string;
            messageJa: string;
            row: number | null;
        };
        /** ImportProgressOut */
        ImportProgressOut: {
            done: number;
            /** @enum {string} */
            phase: "reading" | "checking" | "people" | "rooms" | "history" | "writing";
            rowsPerSecond: number;
            secondsLeft: number | null;
            total: number;
        };
        /** ImportReportOut */
        ImportReportOut: {
            kinds: components["schemas"]["ImportKindOut"][];
            ok: boolean;
            problems: components["schemas"]["ImportProblemOut"][];
            truncated: boolean;
        };
        /** ActivationIn */
        imports_schemas_ActivationIn: {
            userIds: string[];
        };
        /** InvitationApplyIn */
        InvitationApplyIn: {
            email: string;
            jobType: components["schemas"]["JobType"];
            name: string;
            nameKana: string;
            officeId?: string | null;
            /** @default  */
            phone?: string;
            pledge: components["schemas"]["PersonalPledgeIn"];
            visitsHomes?: boolean | null;
        };
        /** InvitationIn */
        InvitationIn: {
            email: string;
            name: string;
            /** Format: uuid */
            officeId: string;
        };
        /** InvitationOut */
        InvitationOut: {
            applicationId: string | null;
            /** Format: date-time */
            createdAt: string;
            email: string;
            /** Format: date-time */
            expiresAt: string;
            /** Format: uuid */
            id: string;
            invitedBy: string | null;
            name: string;
            office: components["schemas"]["OfficeRef"];
            revokedAt?: string | null;
            revokedBy?: string | null;
            state: string;
            usedAt: string | null;
        };
        /** InvitationPublicOut */
        InvitationPublicOut: {
            email: string;
            /** Format: date-time */
            expiresAt: string;
            jobTypes: components["schemas"]["JobTypeOut"][];
            name: string;
            office: components["schemas"]["OfficeRef"];
            offices: components["schemas"]["OfficeRef"][];
            pledge: components["schemas"]["PledgeTextOut"];
        };
        /** IssuedPersonOut */
        IssuedPersonOut: {
            hasEmail: boolean;
            loginId: string;
            name: string;
            officeName: string;
            /** Format: uuid */
            userId: string;
        };
        /**
         * JobType
         * @enum {string}
         */
        JobType: "doctor" | "dentist" | "pharmacist" | "nurse" | "public_health_nurse" | "physical_therapist" | "occupational_therapist" | "speech_therapist" | "care_manager" | "certified_care_worker" | "home_helper" | "medical_social_worker" | "dietitian" | "dental_hygienist" | "city_staff" | "other";
        /** JobTypeOut */
        JobTypeOut: {
            code: string;
            label: string;
        };
        /** KeyOut */
        KeyOut: {
            publicKey: string;
        };
        /** LabelIn */
        LabelIn: {
            label: string | null;
        };
        /** LedgerOut */
        LedgerOut: {
            countsByJobType: components["schemas"]["CountOut"][];
            countsByOffice: components["schemas"]["CountOut"][];
            termsVersion: string;
            total: number;
            users: components["schemas"]["LedgerRow"][];
        };
        /** LedgerRow */
        LedgerRow: {
            activatedAt: string | null;
            /** Format: date-time */
            createdAt: string;
            email: string;
            /** Format: uuid */
            id: string;
            jobType: string;
            jobTypeLabel: string;
            loginId: string;
            name: string;
            nameKana: string;
            officeId: string | null;
            officeName: string | null;
            phone: string;
            pledgedAt: string | null;
            role: string;
            roleLabel: string;
            roomCount: number;
            status: string;
            statusLabel: string;
            stoppedAt: string | null;
            stopScheduledOn?: string | null;
            termsAcceptedAt: string | null;
            termsVersion: string | null;
            visitsHomes: boolean;
        };
        /** LockIn */
        LockIn: {
            nextUnlockSecret: string;
        };
        /** LockOut */
        LockOut: {
            failedAttempts: number;
            lockCount: number;
            locked: boolean;
            lockedUntil: string | null;
            threshold: number;
        };
        /** LoginIn */
        LoginIn: {
            loginId: string;
            password: string;
        };
        /** MedicationChange */
        MedicationChange: {
            data: components["schemas"]["MedicationData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "medication";
            version: number;
        };
        /** MedicationData */
        MedicationData: {
            /** Format: date-time */
            changedAt: string;
            /** Format: uuid */
            changedBy: string;
            /** Format: date-time */
            createdAt: string;
            dose: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "drug" | "allergy";
            name: string;
            note: string;
            reaction: string;
            /** Format: uuid */
            roomId: string;
            startedOn: string | null;
            stoppedOn: string | null;
            timing: string;
        };
        /** MedicationDelete */
        MedicationDelete: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            postId: string;
        };
        /** MedicationDeleteMutation */
        MedicationDeleteMutation: {
            args: components["schemas"]["MedicationDelete"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "medication.delete";
        };
        /** MedicationSet */
        MedicationSet: {
            /**
             * @description 用量, e.g. 5mg 1錠.
             * @default
             */
            dose?: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "drug" | "allergy";
            /** @description 薬剤名 (a drug) or the allergen (an allergy). */
            name: string;
            /** @default  */
            note?: string;
            /** Format: uuid */
            postId: string;
            /**
             * @description An allergy's 症状.
             * @default
             */
            reaction?: string;
            /** @description The post's report title; none: the room's 服薬 title, else its first. */
            reportTitleId?: string | null;
            /** Format: uuid */
            roomId: string;
            startedOn?: string | null;
            stoppedOn?: string | null;
            /**
             * @description 用法, e.g. 1日1回 朝食後.
             * @default
             */
            timing?: string;
        };
        /** MedicationSetMutation */
        MedicationSetMutation: {
            args: components["schemas"]["MedicationSet"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "medication.set";
        };
        /** MemberAddIn */
        MemberAddIn: {
            permission?: components["schemas"]["Permission"];
            /** Format: uuid */
            userId: string;
        };
        /** MemberChange */
        MemberChange: {
            data: components["schemas"]["MemberData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "member";
            version: number;
        };
        /** MemberData */
        MemberData: {
            /** Format: uuid */
            id: string;
            jobType: components["schemas"]["JobType"];
            joinedAt: string | null;
            leftAt: string | null;
            name: string;
            nameKana: string;
            officeId: string | null;
            officeName: string | null;
            officePhone: string | null;
            permission: components["schemas"]["Permission"];
            /** Format: uuid */
            roomId: string;
            /** Format: uuid */
            userId: string;
        };
        /** MemberIn */
        MemberIn: {
            permission?: components["schemas"]["Permission"];
            /** Format: uuid */
            userId: string;
        };
        /** MemberOut */
        MemberOut: {
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            joinedAt: string;
            leftAt: string | null;
            leftReason: string | null;
            permission: string;
            user: components["schemas"]["UserRef"];
        };
        /** MemberPatchIn */
        MemberPatchIn: {
            permission: components["schemas"]["Permission"];
        };
        /** MeOut */
        MeOut: {
            device: components["schemas"]["DeviceOut"] | null;
            factors: components["schemas"]["FactorsOut"];
            /** Format: date-time */
            sessionExpiresAt: string;
            terms: components["schemas"]["MyTermsOut"] | null;
            user: components["schemas"]["UserRef"];
        };
        /** MissingOut */
        MissingOut: {
            code: string;
            en: string;
            ja: string;
        };
        /** MutationResultOut */
        MutationResultOut: {
            id: number;
            /** @description Why it was rejected (`rejected` only). */
            reason?: components["schemas"]["Reason"] | null;
            /** @description The post as the server has it (`conflict` only): the server's state wins. */
            serverState?: components["schemas"]["PostData"] | null;
            /** @enum {string} */
            status: "ok" | "conflict" | "rejected";
        };
        /** MyTermsOut */
        MyTermsOut: {
            acceptedAt: string | null;
            acceptedVersion: string | null;
            required: boolean;
            version: string;
        };
        /** NewPersonIn */
        NewPersonIn: {
            email: string;
            jobType: components["schemas"]["JobType"];
            name: string;
            nameKana: string;
            /** @default  */
            phone?: string;
        };
        /** NextOut */
        NextOut: {
            csrfToken: string | null;
            /** @enum {string} */
            next: "totp" | "webauthn" | "choose" | "changePassword" | "enroll" | "done" | "signin" | "unlock";
            unlockSecret: string | null;
        };
        /** OfficeClosedOut */
        OfficeClosedOut: {
            office: components["schemas"]["OfficeOut"];
            stopped: components["schemas"]["UserRef"][];
            transferred: components["schemas"]["UserRef"][];
        };
        /** OfficeCloseIn */
        OfficeCloseIn: {
            mergedIntoId?: string | null;
            /** @default  */
            note?: string;
            pledge?: components["schemas"]["TransferPledgeIn"] | null;
            /** @enum {string} */
            reason: "closed" | "merged";
            /** @enum {string} */
            staff: "stop" | "transfer";
            /** @default true */
            stayInRooms?: boolean;
        };
        /** OfficeCorrectionIn */
        OfficeCorrectionIn: {
            address?: string | null;
            fax?: string | null;
            kind?: components["schemas"]["OfficeKind"] | null;
            name?: string | null;
            nameKana?: string | null;
            /** @default  */
            note?: string;
            phone?: string | null;
            postalCode?: string | null;
        };
        /** OfficeDetailOut */
        OfficeDetailOut: {
            changes: components["schemas"]["ChangeOut"][];
            formerStaff: components["schemas"]["UserRef"][];
            office: components["schemas"]["OfficeOut"];
            staff: components["schemas"]["UserRef"][];
        };
        /** OfficeIn */
        OfficeIn: {
            /** @default  */
            address?: string;
            /** @default  */
            fax?: string;
            kind: components["schemas"]["OfficeKind"];
            name: string;
            /** @default  */
            nameKana?: string;
            /** @default  */
            phone?: string;
            pledge?: components["schemas"]["PaperPledgeIn"] | null;
            /** @default  */
            postalCode?: string;
            systemManagers?: components["schemas"]["NewPersonIn"][];
        };
        /**
         * OfficeKind
         * @enum {string}
         */
        OfficeKind: "clinic" | "home_visit_clinic" | "hospital" | "dental_clinic" | "visiting_nurse_station" | "care_management_office" | "pharmacy" | "home_help_office" | "day_service" | "community_support_center" | "city_office" | "other";
        /** OfficeOut */
        OfficeOut: {
            activeUsers: number;
            address: string;
            closedAt: string | null;
            /** @enum {null|string} */
            closedReason: "closed" | "merged" | null;
            /** Format: date-time */
            createdAt: string;
            fax: string;
            /** Format: uuid */
            id: string;
            kind: string;
            kindLabel: string;
            mergedIntoId: string | null;
            name: string;
            nameKana: string;
            phone: string;
            pledgedAt: string | null;
            pledgeVersion: string | null;
            postalCode: string;
            representative: string | null;
            systemManagers?: components["schemas"]["SystemManagerOut"][];
        };
        /** OfficePledgeOut */
        OfficePledgeOut: {
            /** Format: date-time */
            acceptedAt: string;
            signerName: string;
            version: string;
        };
        /** OfficePledgeRecordIn */
        OfficePledgeRecordIn: {
            /** Format: date */
            acceptedOn: string;
            /** @default  */
            note?: string;
            representative: string;
            version: string;
        };
        /** OfficeRef */
        OfficeRef: {
            /** Format: uuid */
            id: string;
            kind: string;
            kindLabel: string;
            name: string;
        };
        /** OfficeRoomMemberOut */
        OfficeRoomMemberOut: {
            jobTypeLabel: string;
            name: string;
            officeName: string | null;
            ownOffice: boolean;
            permission: string;
            /** Format: uuid */
            userId: string;
        };
        /** OfficeStayOut */
        OfficeStayOut: {
            endedAt: string | null;
            endedReason: string | null;
            office: components["schemas"]["OfficeRef"];
            /** Format: date-time */
            startedAt: string;
        };
        /**
         * Op
         * @enum {string}
         */
        Op: "put" | "del";
        /** PaperPledgeIn */
        PaperPledgeIn: {
            /** Format: date */
            acceptedOn: string;
            representative: string;
            version: string;
        };
        /** PasskeyIn */
        PasskeyIn: {
            credential: {
                [key: string]: unknown;
            };
            /** @default  */
            label?: string;
        };
        /** PasskeyOut */
        PasskeyOut: {
            backupEligible: boolean;
            backupState: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            label: string;
            lastUsedAt: string | null;
        };
        /** PasswordChangeIn */
        PasswordChangeIn: {
            currentPassword: string;
            newPassword: string;
        };
        /** PatientChange */
        PatientChange: {
            data: components["schemas"]["PatientData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "patient";
            version: number;
        };
        /** PatientCorrectedOut */
        PatientCorrectedOut: {
            changed: string[];
        };
        /** PatientCorrectionIn */
        PatientCorrectionIn: {
            address?: string | null;
            attendingPhysician?: string | null;
            careLevel?: components["schemas"]["CareLevel"] | null;
            emergencyContactName?: string | null;
            emergencyContactPhone?: string | null;
            emergencyContactRelationship?: string | null;
            insuredNumber?: string | null;
            /** @default  */
            note?: string;
            phone?: string | null;
            postalCode?: string | null;
        };
        /** PatientData */
        PatientData: {
            address: string;
            attendingPhysician: string;
            birthDate: string | null;
            careLevel: components["schemas"]["CareLevel"];
            emergencyContactName: string;
            emergencyContactPhone: string;
            emergencyContactRelationship: string;
            /** Format: uuid */
            id: string;
            insuredNumber: string;
            name: string;
            nameKana: string;
            phone: string;
            postalCode: string;
            sex: components["schemas"]["Sex"];
        };
        /** PatientIn */
        PatientIn: {
            address: string;
            /** @default  */
            attendingPhysician?: string;
            birthDate: string | components["schemas"]["EraDateIn"];
            careLevel: components["schemas"]["CareLevel"];
            /** @default  */
            emergencyContactName?: string;
            /** @default  */
            emergencyContactPhone?: string;
            /** @default  */
            emergencyContactRelationship?: string;
            /** @default  */
            insuredNumber?: string;
            name: string;
            nameKana: string;
            /** @default  */
            phone?: string;
            /** @default  */
            postalCode?: string;
            sex: components["schemas"]["Sex"];
        };
        /** PatientOut */
        PatientOut: {
            address: string;
            attendingPhysician: string;
            /** Format: date */
            birthDate: string;
            birthDateEra: components["schemas"]["EraDateOut"];
            careLevel: string;
            careLevelLabel: string;
            emergencyContactName: string;
            emergencyContactPhone: string;
            emergencyContactRelationship: string;
            /** Format: uuid */
            id: string;
            insuredNumber: string;
            name: string;
            nameKana: string;
            phone: string;
            postalCode: string;
            sex: string;
        };
        /**
         * Permission
         * @description 閲覧権限: what a member may do in a room.
         * @default write
         * @enum {string}
         */
        Permission: "read" | "write";
        /** PersonalChange */
        PersonalChange: {
            data: components["schemas"]["PersonalData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "personal";
            version: number;
        };
        /** PersonalData */
        PersonalData: {
            clearedVersion: number;
            /** Format: uuid */
            roomId: string;
            unreadPostIds: string[];
            /** Format: date-time */
            updatedAt: string;
            /** Format: uuid */
            userId: string;
        };
        /** PersonalPledgeIn */
        PersonalPledgeIn: {
            accepted: boolean;
            version: string;
        };
        /** PledgeTextOut */
        PledgeTextOut: {
            form: string;
            text: string;
            version: string;
        };
        /** PledgeTextsIn */
        PledgeTextsIn: {
            form41: string;
            form42: string;
            version: string;
        };
        /** PledgeTextsOut */
        PledgeTextsOut: {
            form41: string;
            form42: string;
            version: string;
        };
        /** PokeEvent */
        PokeEvent: {
            /** Format: uuid */
            roomId: string;
            version: number;
        };
        /** PossibleDuplicate */
        PossibleDuplicate: {
            birthDate: string;
            matchedOn: string[];
            name: string;
            patientId: string;
            roomId: string | null;
            roomLabel: string | null;
            roomStatus: string | null;
        };
        /** PostChange */
        PostChange: {
            data: components["schemas"]["PostData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "post";
            version: number;
        };
        /** PostCreate */
        PostCreate: {
            /** @description 宛先: members of the room this is addressed to (user ids). */
            addresseeIds?: string[];
            /**
             * @description The addressees are asked for an answer (回答を求める).
             * @default false
             */
            asksAnswer?: boolean;
            attachmentIds?: string[];
            /**
             * @description May be empty when vitals are given: vitals alone are a record.
             * @default
             */
            body?: string;
            /** @enum {null|string} */
            closingReason?: "death" | "facilityAdmission" | "endOfService" | "other" | null;
            /**
             * @description Out-of-range vitals make the post urgent; false when the author says they are not.
             * @default true
             */
            flagUrgent?: boolean;
            /** Format: uuid */
            id: string;
            /**
             * @default normal
             * @enum {string}
             */
            kind?: "normal" | "closingRequest";
            /** Format: uuid */
            reportTitleId: string;
            /** Format: uuid */
            roomId: string;
            /** @default false */
            urgent?: boolean;
            vitals?: components["schemas"]["Vitals"] | null;
        };
        /** PostCreateMutation */
        PostCreateMutation: {
            args: components["schemas"]["PostCreate"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "post.create";
        };
        /** PostData */
        PostData: {
            /** @description 宛先: user ids. */
            addresseeIds: string[];
            asksAnswer: boolean;
            attachmentIds: string[];
            /** Format: uuid */
            authorId: string;
            body: string;
            /** @enum {null|string} */
            closingReason: "death" | "facilityAdmission" | "endOfService" | "other" | null;
            /** Format: date-time */
            createdAt: string;
            /** @description The documents (PDF) among `attachmentIds`; the rest are photos. */
            documents: components["schemas"]["DocumentRef"][];
            editedAt: string | null;
            /** Format: uuid */
            id: string;
            imported: boolean;
            kind: components["schemas"]["PostKind"];
            reportTitleId: string | null;
            /** Format: uuid */
            roomId: string;
            urgent: boolean;
            version: number;
            vitals: components["schemas"]["Vitals"] | null;
            /** @description Out-of-range readings by vitals key, as computed when stored. */
            vitalsFlags: {
                [key: string]: "low" | "high";
            } | null;
        };
        /** PostDelete */
        PostDelete: {
            /** Format: uuid */
            id: string;
        };
        /** PostDeleteMutation */
        PostDeleteMutation: {
            args: components["schemas"]["PostDelete"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "post.delete";
        };
        /** PostEdit */
        PostEdit: {
            baseVersion: number;
            body?: string;
            /** Format: uuid */
            id: string;
            reportTitleId?: string;
            urgent?: boolean;
            vitals?: components["schemas"]["Vitals"] | null;
        };
        /** PostEditMutation */
        PostEditMutation: {
            args: components["schemas"]["PostEdit"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "post.edit";
        };
        /**
         * PostKind
         * @enum {string}
         */
        PostKind: "normal" | "closingRequest";
        /** PostMarkUnread */
        PostMarkUnread: {
            /** Format: uuid */
            postId: string;
            /** @default true */
            unread?: boolean;
        };
        /** PostMarkUnreadMutation */
        PostMarkUnreadMutation: {
            args: components["schemas"]["PostMarkUnread"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "post.markUnread";
        };
        /** PreferencesIn */
        PreferencesIn: {
            /** @description The daily mail (opt-in); left out: unchanged. */
            dailyMail?: boolean;
            enabled: boolean;
            mutedRoomIds: string[];
            quietHours: components["schemas"]["QuietHours"] | null;
            showRoomLabel: boolean;
        };
        /** PreferencesOut */
        PreferencesOut: {
            dailyMail: boolean;
            enabled: boolean;
            mutedRoomIds: string[];
            quietHours: components["schemas"]["QuietHours"] | null;
            showRoomLabel: boolean;
        };
        /** PublicHelpOut */
        PublicHelpOut: {
            cityName: string;
            contacts: components["schemas"]["HelpContactOut"][];
            signInNote: string;
        };
        /** PullIn */
        PullIn: {
            cursor?: string | null;
            /** @default 500 */
            limit?: number;
        };
        /** PullOut */
        PullOut: {
            /** @description Send it back with the next pull; null after a wipe. */
            cursor: string | null;
            /** @description My clients' last applied mutation id, by client id. */
            lastMutationIds: {
                [key: string]: number;
            };
            /** @description Rooms served again from scratch (a new sync epoch): purge, then apply this answer's changes. */
            resetRooms: string[];
            /** @description Rooms I left or lost: purge everything of them. */
            revokedRooms: string[];
            /** @description By room id; a room with nothing new is left out. */
            rooms: {
                [key: string]: components["schemas"]["RoomChanges"];
            };
            /** @description Erase this device's data now. */
            wipe: boolean;
        };
        /** PushIn */
        PushIn: {
            /** @description Made once per install (and anew after a wipe). */
            clientId: string;
            mutations: (components["schemas"]["PostCreateMutation"] | components["schemas"]["PostEditMutation"] | components["schemas"]["PostDeleteMutation"] | components["schemas"]["CommentCreateMutation"] | components["schemas"]["CommentDeleteMutation"] | components["schemas"]["ReceiptMarkMutation"] | components["schemas"]["ThresholdSetMutation"] | components["schemas"]["AddresseeDoneMutation"] | components["schemas"]["AttentionClearMutation"] | components["schemas"]["PostMarkUnreadMutation"] | components["schemas"]["MedicationSetMutation"] | components["schemas"]["MedicationDeleteMutation"])[];
        };
        /** PushOut */
        PushOut: {
            results: components["schemas"]["MutationResultOut"][];
        };
        /** QuietHours */
        QuietHours: {
            end: string;
            start: string;
        };
        /** ReaderOut */
        ReaderOut: {
            jobType: string;
            jobTypeLabel: string;
            name: string;
            officeName: string | null;
            readAt: string | null;
            /** Format: uuid */
            userId: string;
        };
        /** ReadersOut */
        ReadersOut: {
            read: components["schemas"]["ReaderOut"][];
            unread: components["schemas"]["ReaderOut"][];
        };
        /** Reason */
        Reason: {
            code: string;
            en: string;
            ja: string;
        };
        /** ReceiptChange */
        ReceiptChange: {
            data: components["schemas"]["ReceiptData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "receipt";
            version: number;
        };
        /** ReceiptData */
        ReceiptData: {
            /** Format: uuid */
            roomId: string;
            /** Format: date-time */
            updatedAt: string;
            upToVersion: number;
            /** Format: uuid */
            userId: string;
        };
        /** ReceiptMark */
        ReceiptMark: {
            /** Format: uuid */
            roomId: string;
            upToVersion: number;
        };
        /** ReceiptMarkMutation */
        ReceiptMarkMutation: {
            args: components["schemas"]["ReceiptMark"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "receipt.mark";
        };
        /** RecordCommentOut */
        RecordCommentOut: {
            author: components["schemas"]["RecordPersonOut"];
            body: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
        };
        /** RecordDocumentOut */
        RecordDocumentOut: {
            /** Format: uuid */
            id: string;
            name: string;
            pages: number;
            size: number;
        };
        /** RecordMemberOut */
        RecordMemberOut: {
            /** Format: date-time */
            joinedAt: string;
            leftAt: string | null;
            permission: components["schemas"]["Permission"];
            person: components["schemas"]["RecordPersonOut"];
        };
        /** RecordOut */
        RecordOut: {
            breakGlassReason?: string | null;
            closedAt: string | null;
            consentDate: string | null;
            consentDateEra: components["schemas"]["EraDateOut"] | null;
            /** Format: date-time */
            generatedAt: string;
            generatedBy: string;
            members: components["schemas"]["RecordMemberOut"][];
            normalRanges: components["schemas"]["RecordRangeOut"][];
            openedAt: string | null;
            patient: components["schemas"]["RecordPatientOut"];
            posts: components["schemas"]["RecordPostOut"][];
            /** Format: uuid */
            roomId: string;
            roomLabel: string | null;
            roomStatus: components["schemas"]["RoomStatus"];
            since: string | null;
            until: string | null;
        };
        /** RecordPatientOut */
        RecordPatientOut: {
            address: string;
            age: number;
            /** Format: date */
            birthDate: string;
            birthDateEra: components["schemas"]["EraDateOut"];
            careLevel: components["schemas"]["CareLevel"];
            careLevelLabel: string;
            insuredNumber: string;
            name: string;
            nameKana: string;
            phone: string;
            sex: components["schemas"]["Sex"];
        };
        /** RecordPersonOut */
        RecordPersonOut: {
            /** Format: uuid */
            id: string;
            jobType: components["schemas"]["JobType"];
            jobTypeLabel: string;
            name: string;
            officeName: string;
        };
        /** RecordPostOut */
        RecordPostOut: {
            author: components["schemas"]["RecordPersonOut"];
            body: string;
            comments: components["schemas"]["RecordCommentOut"][];
            /** Format: date-time */
            createdAt: string;
            documents: components["schemas"]["RecordDocumentOut"][];
            editedAt: string | null;
            /** Format: uuid */
            id: string;
            imported: boolean;
            kind: components["schemas"]["PostKind"];
            photos: string[];
            title: string;
            urgent: boolean;
            vitals: components["schemas"]["Vitals"] | null;
            vitalsFlags: {
                [key: string]: "low" | "high";
            } | null;
        };
        /** RecordRangeOut */
        RecordRangeOut: {
            high: number | null;
            low: number | null;
            sign: string;
        };
        /** RecoveryKeyOut */
        RecoveryKeyOut: {
            created: boolean;
            secret: string;
        };
        /** Refusal */
        Refusal: {
            code: string;
            en: string;
            ja: string;
            userId: string;
        };
        /** RejectIn */
        RejectIn: {
            reason: string;
        };
        /** ReportTitleChange */
        ReportTitleChange: {
            data: components["schemas"]["ReportTitleData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "reportTitle";
            version: number;
        };
        /** ReportTitleData */
        ReportTitleData: {
            active: boolean;
            description: string;
            /** Format: uuid */
            id: string;
            name: string;
            position: number;
            /** Format: uuid */
            roomId: string;
            vitals: boolean;
        };
        /** ReportTitleIn */
        ReportTitleIn: {
            /** @default  */
            description?: string;
            id?: string | null;
            name: string;
            /** @default false */
            vitals?: boolean;
        };
        /** ReportTitleOut */
        ReportTitleOut: {
            active: boolean;
            description: string;
            /** Format: uuid */
            id: string;
            name: string;
            position: number;
            vitals: boolean;
        };
        /** ReportTitlesIn */
        ReportTitlesIn: {
            titles: (string | components["schemas"]["ReportTitleIn"])[];
        };
        /** Requirement */
        Requirement: {
            code: string;
            en: string;
            ja: string;
        };
        /** ResetLetterOut */
        ResetLetterOut: {
            cityName: string;
            code: string;
            contactName: string;
            contactPhone: string;
            /** Format: date-time */
            expiresAt: string;
            /** Format: date-time */
            issuedAt: string;
            issuedBy: string;
            link: string;
            loginId: string;
            name: string;
            officeName: string | null;
            qrImage: string;
            /** Format: uuid */
            userId: string;
        };
        /** RevokedEvent */
        RevokedEvent: {
            /** Format: uuid */
            roomId: string;
        };
        /**
         * Role
         * @description What a person may do beyond the rooms they are invited to; one per person.
         *
         *         The roles nest for professionals: an `office_admin` (事業所のシステム管理担当者) is a
         *         member of their office's staff — usually a nurse manager, a care manager or a clinic
         *         clerk — who also files the office's applications. Being one takes nothing away: they
         *         can be room members like any `member` of their job type (`ROOM_MEMBER_ROLES`), and the
         *         city can name or unname them without touching their rooms. An office may have several.
         *         `municipal_admin` (the city's clerks) and `operator` run the programme and the
         *         installation; they are never room members (SECURITY.md 18).
         * @enum {string}
         */
        Role: "member" | "office_admin" | "municipal_admin" | "operator";
        /** RoomCandidateOut */
        RoomCandidateOut: {
            /** Format: date */
            birthDate: string;
            birthDateEra: components["schemas"]["EraDateOut"];
            insuredNumber: string;
            matched: string[];
            memberCount: number;
            offices: string[];
            room: components["schemas"]["RoomRef"];
        };
        /** RoomChange */
        RoomChange: {
            data: components["schemas"]["RoomData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "room";
            version: number;
        };
        /** RoomChanges */
        RoomChanges: {
            changes: (components["schemas"]["RoomChange"] | components["schemas"]["PatientChange"] | components["schemas"]["MemberChange"] | components["schemas"]["ReportTitleChange"] | components["schemas"]["PostChange"] | components["schemas"]["CommentChange"] | components["schemas"]["ReceiptChange"] | components["schemas"]["ThresholdChange"] | components["schemas"]["AddresseeChange"] | components["schemas"]["PersonalChange"] | components["schemas"]["MedicationChange"])[];
            hasMore: boolean;
        };
        /** RoomChoiceIn */
        RoomChoiceIn: {
            /** Format: uuid */
            roomId: string;
            stay: boolean;
        };
        /** RoomCloseIn */
        RoomCloseIn: {
            closingRequestId?: string | null;
            /** @default  */
            note?: string;
            /** @enum {null|string} */
            reason?: "death" | "facilityAdmission" | "endOfService" | "other" | null;
        };
        /** RoomCreateIn */
        RoomCreateIn: {
            /** @default false */
            allowDuplicate?: boolean;
            applicationId?: string | null;
            consent?: components["schemas"]["ConsentIn"] | null;
            label?: string | null;
            members?: components["schemas"]["MemberIn"][] | null;
            patient?: components["schemas"]["PatientIn"] | null;
            reportTitles?: (string | components["schemas"]["ReportTitleIn"])[] | null;
        };
        /** RoomData */
        RoomData: {
            closedAt: string | null;
            closedNote: string | null;
            closedReason: string | null;
            /** Format: uuid */
            id: string;
            label: string | null;
            openedAt: string | null;
            /** Format: uuid */
            patientId: string;
            status: components["schemas"]["RoomStatus"];
        };
        /** RoomHistoryOut */
        RoomHistoryOut: {
            changes: components["schemas"]["ChangeOut"][];
        };
        /** RoomOut */
        RoomOut: {
            applicationId: string | null;
            closedAt: string | null;
            closedNote: string | null;
            closedReason: string | null;
            consent: components["schemas"]["ConsentOut"] | null;
            formerMembers: components["schemas"]["MemberOut"][];
            /** Format: uuid */
            id: string;
            label: string | null;
            members: components["schemas"]["MemberOut"][];
            missing: components["schemas"]["MissingOut"][];
            openedAt: string | null;
            patient: components["schemas"]["PatientOut"];
            reportTitles: components["schemas"]["ReportTitleOut"][];
            status: string;
            version: number;
        };
        /** RoomRef */
        RoomRef: {
            /** Format: uuid */
            id: string;
            label: string | null;
            patientName: string;
            patientNameKana: string;
            status: string;
        };
        /** RoomReopenIn */
        RoomReopenIn: {
            consent?: components["schemas"]["ConsentIn"] | null;
            members?: components["schemas"]["MemberIn"][] | null;
            /** @default  */
            note?: string;
        };
        /**
         * RoomStatus
         * @enum {string}
         */
        RoomStatus: "open" | "closed";
        /** RoomSummaryOut */
        RoomSummaryOut: {
            closedAt: string | null;
            closingRequested: boolean;
            /** Format: uuid */
            id: string;
            label: string | null;
            memberCount: number;
            openedAt: string | null;
            patientName: string;
            patientNameKana: string;
            status: string;
        };
        /** ScheduledStopCancelIn */
        ScheduledStopCancelIn: {
            /** @default  */
            reason?: string;
        };
        /** ScheduledStopOut */
        ScheduledStopOut: {
            applicationId: string | null;
            cancelledAt: string | null;
            cancelledBy: string | null;
            cancelReason: string | null;
            /** Format: date-time */
            createdAt: string;
            doneAt: string | null;
            /** Format: date-time */
            dueAt: string;
            /** Format: uuid */
            id: string;
            noticeSentAt: string | null;
            office: components["schemas"]["OfficeRef"] | null;
            reason: string;
            scheduledBy: string | null;
            state: string;
            /** Format: date */
            stopOn: string;
            user: components["schemas"]["UserRef"];
        };
        /** SearchHitOut */
        SearchHitOut: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            reportTitleId: string | null;
            snippet: string;
            version: number;
        };
        /** SearchOut */
        SearchOut: {
            hasMore: boolean;
            results: components["schemas"]["SearchHitOut"][];
        };
        /** SessionOut */
        SessionOut: {
            /** Format: date-time */
            createdAt: string;
            current: boolean;
            deviceId: string | null;
            factor: string | null;
            /** Format: uuid */
            id: string;
            ip: string;
            /** Format: date-time */
            lastSeenAt: string;
            userAgent: string;
        };
        /** SessionStateOut */
        SessionStateOut: {
            csrfToken: string;
            signedIn: boolean;
            stage: string | null;
        };
        /**
         * Sex
         * @enum {string}
         */
        Sex: "male" | "female" | "other";
        /**
         * SignedBy
         * @description Who signed the consent (様式5): the patient, or a proxy (代理人) with a relationship.
         * @enum {string}
         */
        SignedBy: "patient" | "proxy";
        /**
         * StopState
         * @description A scheduled ID stop (様式3 with a 停止希望日 in the future).
         * @enum {string}
         */
        StopState: "scheduled" | "done" | "cancelled";
        /** SubscriptionIn */
        SubscriptionIn: {
            endpoint: string;
            expirationTime?: number | null;
            keys: components["schemas"]["SubscriptionKeysIn"];
        };
        /** SubscriptionKeysIn */
        SubscriptionKeysIn: {
            auth: string;
            p256dh: string;
        };
        /** SubscriptionOut */
        SubscriptionOut: {
            subscribed: boolean;
        };
        /** SystemManagerIn */
        SystemManagerIn: {
            person?: components["schemas"]["NewPersonIn"] | null;
            userId?: string | null;
        };
        /** SystemManagerOut */
        SystemManagerOut: {
            email: string;
            /** Format: uuid */
            id: string;
            jobTypeLabel: string;
            loginId: string;
            name: string;
            status: string;
        };
        /** TemplateIn */
        TemplateIn: {
            body: string;
            reportTitleName?: string | null;
            /**
             * @default personal
             * @enum {string}
             */
            scope?: "personal" | "office";
            title: string;
        };
        /** TemplateOut */
        TemplateOut: {
            body: string;
            /** @description Whether I may change or delete it. */
            editable: boolean;
            /** Format: uuid */
            id: string;
            reportTitleName: string | null;
            /** @enum {string} */
            scope: "personal" | "office";
            title: string;
            /** Format: date-time */
            updatedAt: string;
        };
        /** TemplatesOut */
        TemplatesOut: {
            templates: components["schemas"]["TemplateOut"][];
        };
        /** TermsAcceptIn */
        TermsAcceptIn: {
            version: string;
        };
        /** TermsIn */
        TermsIn: {
            /** @default  */
            text?: string;
            /** @default  */
            version?: string;
        };
        /** TermsOut */
        TermsOut: {
            text: string;
            version: string;
        };
        /** ThresholdChange */
        ThresholdChange: {
            data: components["schemas"]["ThresholdData"] | null;
            id: string;
            op: components["schemas"]["Op"];
            /** @constant */
            type: "threshold";
            version: number;
        };
        /** ThresholdData */
        ThresholdData: {
            high: number | null;
            /** Format: uuid */
            id: string;
            low: number | null;
            /** Format: uuid */
            roomId: string;
            /** Format: date-time */
            setAt: string;
            /** Format: uuid */
            setBy: string;
            /** @enum {string} */
            sign: "systolic" | "diastolic" | "pulse" | "temperature" | "spo2" | "respirationRate" | "weight" | "bloodGlucose";
        };
        /** ThresholdSet */
        ThresholdSet: {
            high?: number | null;
            low?: number | null;
            /** Format: uuid */
            roomId: string;
            /** @enum {string} */
            sign: "systolic" | "diastolic" | "pulse" | "temperature" | "spo2" | "respirationRate" | "weight" | "bloodGlucose";
        };
        /** ThresholdSetMutation */
        ThresholdSetMutation: {
            args: components["schemas"]["ThresholdSet"];
            /** @description Rises by one per client; applied at most once. */
            id: number;
            /** @constant */
            name: "threshold.set";
        };
        /** TotpEnrollOut */
        TotpEnrollOut: {
            otpauthUri: string;
            qrSvg: string;
            secret: string;
        };
        /** TotpIn */
        TotpIn: {
            code: string;
        };
        /** TransferIn */
        TransferIn: {
            /** @default  */
            note?: string;
            /** Format: uuid */
            officeId: string;
            pledge: components["schemas"]["TransferPledgeIn"];
            rooms: components["schemas"]["RoomChoiceIn"][];
            visitsHomes?: boolean | null;
        };
        /** TransferOut */
        TransferOut: {
            left: components["schemas"]["RoomRef"][];
            officeStays: components["schemas"]["OfficeStayOut"][];
            stayed: components["schemas"]["RoomRef"][];
            user: components["schemas"]["LedgerRow"];
        };
        /** TransferPledgeIn */
        TransferPledgeIn: {
            /** Format: date */
            acceptedOn: string;
            version: string;
        };
        /** UploadIn */
        UploadIn: {
            /** Format: binary */
            file: string;
        };
        /** UserCorrectionIn */
        UserCorrectionIn: {
            email?: string | null;
            jobType?: components["schemas"]["JobType"] | null;
            name?: string | null;
            nameKana?: string | null;
            /** @default  */
            note?: string;
            visitsHomes?: boolean | null;
        };
        /** UserDetailOut */
        UserDetailOut: {
            history: components["schemas"]["HistoryOut"][];
            rooms: components["schemas"]["RoomRef"][];
            user: components["schemas"]["LedgerRow"];
        };
        /** UserHistoryOut */
        UserHistoryOut: {
            changes: components["schemas"]["ChangeOut"][];
            officeStays: components["schemas"]["OfficeStayOut"][];
            user: components["schemas"]["LedgerRow"];
        };
        /** UserRef */
        UserRef: {
            /** Format: uuid */
            id: string;
            jobType: string;
            jobTypeLabel: string;
            loginId: string;
            name: string;
            nameKana: string;
            officeId: string | null;
            officeKind: string | null;
            officeName: string | null;
            role: string;
            status: string;
            visitsHomes: boolean;
        };
        /**
         * UserStatus
         * @enum {string}
         */
        UserStatus: "pending" | "active" | "stopped";
        /** UserStopIn */
        UserStopIn: {
            date?: string | null;
            /** @default 管理者による停止 */
            reason?: string;
        };
        /** ValidationDetail */
        ValidationDetail: {
            /** @description The field, e.g. `name` or `limit`. */
            key?: string;
            /** @description What is wrong (msgspec's English). */
            message: string;
            /** @description body, query, path, header or cookie. */
            source?: string;
        };
        /** Vitals */
        Vitals: {
            bloodGlucose?: number | null;
            diastolic?: number | null;
            pulse?: number | null;
            respirationRate?: number | null;
            spo2?: number | null;
            systolic?: number | null;
            temperature?: number | null;
            weight?: number | null;
        };
        /** WipeEvent */
        WipeEvent: Record<string, never>;
        /** WithdrawIn */
        WithdrawIn: {
            /** @default  */
            note?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type AccessLogEntryOut = components['schemas']['AccessLogEntryOut'];
export type AccessLogOut = components['schemas']['AccessLogOut'];
export type AccountsControllersActivationIn = components['schemas']['accounts_controllers_ActivationIn'];
export type ActivationLetterOut = components['schemas']['ActivationLetterOut'];
export type ActivationOut = components['schemas']['ActivationOut'];
export type ActivationQueuedOut = components['schemas']['ActivationQueuedOut'];
export type AddresseeChange = components['schemas']['AddresseeChange'];
export type AddresseeData = components['schemas']['AddresseeData'];
export type AddresseeDone = components['schemas']['AddresseeDone'];
export type AddresseeDoneMutation = components['schemas']['AddresseeDoneMutation'];
export type AdminActionOut = components['schemas']['AdminActionOut'];
export type ApplicationIn = components['schemas']['ApplicationIn'];
export type ApplicationKind = components['schemas']['ApplicationKind'];
export type ApplicationOut = components['schemas']['ApplicationOut'];
export type ApplicationState = components['schemas']['ApplicationState'];
export type AppliedOut = components['schemas']['AppliedOut'];
export type ApproveIn = components['schemas']['ApproveIn'];
export type AttachmentOut = components['schemas']['AttachmentOut'];
export type AttentionClear = components['schemas']['AttentionClear'];
export type AttentionClearMutation = components['schemas']['AttentionClearMutation'];
export type BreakGlassEntryOut = components['schemas']['BreakGlassEntryOut'];
export type BreakGlassIn = components['schemas']['BreakGlassIn'];
export type CareLevel = components['schemas']['CareLevel'];
export type ChangeOut = components['schemas']['ChangeOut'];
export type ClerkIn = components['schemas']['ClerkIn'];
export type ClerkOut = components['schemas']['ClerkOut'];
export type ClerkRetireIn = components['schemas']['ClerkRetireIn'];
export type ClosingRequestOut = components['schemas']['ClosingRequestOut'];
export type CommentChange = components['schemas']['CommentChange'];
export type CommentCreate = components['schemas']['CommentCreate'];
export type CommentCreateMutation = components['schemas']['CommentCreateMutation'];
export type CommentData = components['schemas']['CommentData'];
export type CommentDelete = components['schemas']['CommentDelete'];
export type CommentDeleteMutation = components['schemas']['CommentDeleteMutation'];
export type ConsentIn = components['schemas']['ConsentIn'];
export type ConsentOut = components['schemas']['ConsentOut'];
export type ConsentWithdrawIn = components['schemas']['ConsentWithdrawIn'];
export type CountOut = components['schemas']['CountOut'];
export type CsrfOut = components['schemas']['CsrfOut'];
export type DeskAccountOut = components['schemas']['DeskAccountOut'];
export type DeskActionIn = components['schemas']['DeskActionIn'];
export type DeskDeviceOut = components['schemas']['DeskDeviceOut'];
export type DeskPersonOut = components['schemas']['DeskPersonOut'];
export type DeskSessionOut = components['schemas']['DeskSessionOut'];
export type DeviceOut = components['schemas']['DeviceOut'];
export type DirectoryEntryOut = components['schemas']['DirectoryEntryOut'];
export type DocumentOut = components['schemas']['DocumentOut'];
export type DocumentRef = components['schemas']['DocumentRef'];
export type DuplicateOut = components['schemas']['DuplicateOut'];
export type Era = components['schemas']['Era'];
export type EraDateIn = components['schemas']['EraDateIn'];
export type EraDateOut = components['schemas']['EraDateOut'];
export type Error = components['schemas']['Error'];
export type FactorsOut = components['schemas']['FactorsOut'];
export type FormOut = components['schemas']['FormOut'];
export type Health = components['schemas']['Health'];
export type HelpContactIn = components['schemas']['HelpContactIn'];
export type HelpContactOut = components['schemas']['HelpContactOut'];
export type HelpIn = components['schemas']['HelpIn'];
export type HelpLinkIn = components['schemas']['HelpLinkIn'];
export type HelpLinkOut = components['schemas']['HelpLinkOut'];
export type HelpOut = components['schemas']['HelpOut'];
export type HistoryOut = components['schemas']['HistoryOut'];
export type ImportJobOut = components['schemas']['ImportJobOut'];
export type ImportKindOut = components['schemas']['ImportKindOut'];
export type ImportProblemOut = components['schemas']['ImportProblemOut'];
export type ImportProgressOut = components['schemas']['ImportProgressOut'];
export type ImportReportOut = components['schemas']['ImportReportOut'];
export type ImportsSchemasActivationIn = components['schemas']['imports_schemas_ActivationIn'];
export type InvitationApplyIn = components['schemas']['InvitationApplyIn'];
export type InvitationIn = components['schemas']['InvitationIn'];
export type InvitationOut = components['schemas']['InvitationOut'];
export type InvitationPublicOut = components['schemas']['InvitationPublicOut'];
export type IssuedPersonOut = components['schemas']['IssuedPersonOut'];
export type JobType = components['schemas']['JobType'];
export type JobTypeOut = components['schemas']['JobTypeOut'];
export type KeyOut = components['schemas']['KeyOut'];
export type LabelIn = components['schemas']['LabelIn'];
export type LedgerOut = components['schemas']['LedgerOut'];
export type LedgerRow = components['schemas']['LedgerRow'];
export type LockIn = components['schemas']['LockIn'];
export type LockOut = components['schemas']['LockOut'];
export type LoginIn = components['schemas']['LoginIn'];
export type MedicationChange = components['schemas']['MedicationChange'];
export type MedicationData = components['schemas']['MedicationData'];
export type MedicationDelete = components['schemas']['MedicationDelete'];
export type MedicationDeleteMutation = components['schemas']['MedicationDeleteMutation'];
export type MedicationSet = components['schemas']['MedicationSet'];
export type MedicationSetMutation = components['schemas']['MedicationSetMutation'];
export type MemberAddIn = components['schemas']['MemberAddIn'];
export type MemberChange = components['schemas']['MemberChange'];
export type MemberData = components['schemas']['MemberData'];
export type MemberIn = components['schemas']['MemberIn'];
export type MemberOut = components['schemas']['MemberOut'];
export type MemberPatchIn = components['schemas']['MemberPatchIn'];
export type MeOut = components['schemas']['MeOut'];
export type MissingOut = components['schemas']['MissingOut'];
export type MutationResultOut = components['schemas']['MutationResultOut'];
export type MyTermsOut = components['schemas']['MyTermsOut'];
export type NewPersonIn = components['schemas']['NewPersonIn'];
export type NextOut = components['schemas']['NextOut'];
export type OfficeClosedOut = components['schemas']['OfficeClosedOut'];
export type OfficeCloseIn = components['schemas']['OfficeCloseIn'];
export type OfficeCorrectionIn = components['schemas']['OfficeCorrectionIn'];
export type OfficeDetailOut = components['schemas']['OfficeDetailOut'];
export type OfficeIn = components['schemas']['OfficeIn'];
export type OfficeKind = components['schemas']['OfficeKind'];
export type OfficeOut = components['schemas']['OfficeOut'];
export type OfficePledgeOut = components['schemas']['OfficePledgeOut'];
export type OfficePledgeRecordIn = components['schemas']['OfficePledgeRecordIn'];
export type OfficeRef = components['schemas']['OfficeRef'];
export type OfficeRoomMemberOut = components['schemas']['OfficeRoomMemberOut'];
export type OfficeStayOut = components['schemas']['OfficeStayOut'];
export type Op = components['schemas']['Op'];
export type PaperPledgeIn = components['schemas']['PaperPledgeIn'];
export type PasskeyIn = components['schemas']['PasskeyIn'];
export type PasskeyOut = components['schemas']['PasskeyOut'];
export type PasswordChangeIn = components['schemas']['PasswordChangeIn'];
export type PatientChange = components['schemas']['PatientChange'];
export type PatientCorrectedOut = components['schemas']['PatientCorrectedOut'];
export type PatientCorrectionIn = components['schemas']['PatientCorrectionIn'];
export type PatientData = components['schemas']['PatientData'];
export type PatientIn = components['schemas']['PatientIn'];
export type PatientOut = components['schemas']['PatientOut'];
export type Permission = components['schemas']['Permission'];
export type PersonalChange = components['schemas']['PersonalChange'];
export type PersonalData = components['schemas']['PersonalData'];
export type PersonalPledgeIn = components['schemas']['PersonalPledgeIn'];
export type PledgeTextOut = components['schemas']['PledgeTextOut'];
export type PledgeTextsIn = components['schemas']['PledgeTextsIn'];
export type PledgeTextsOut = components['schemas']['PledgeTextsOut'];
export type PokeEvent = components['schemas']['PokeEvent'];
export type PossibleDuplicate = components['schemas']['PossibleDuplicate'];
export type PostChange = components['schemas']['PostChange'];
export type PostCreate = components['schemas']['PostCreate'];
export type PostCreateMutation = components['schemas']['PostCreateMutation'];
export type PostData = components['schemas']['PostData'];
export type PostDelete = components['schemas']['PostDelete'];
export type PostDeleteMutation = components['schemas']['PostDeleteMutation'];
export type PostEdit = components['schemas']['PostEdit'];
export type PostEditMutation = components['schemas']['PostEditMutation'];
export type PostKind = components['schemas']['PostKind'];
export type PostMarkUnread = components['schemas']['PostMarkUnread'];
export type PostMarkUnreadMutation = components['schemas']['PostMarkUnreadMutation'];
export type PreferencesIn = components['schemas']['PreferencesIn'];
export type PreferencesOut = components['schemas']['PreferencesOut'];
export type PublicHelpOut = components['schemas']['PublicHelpOut'];
export type PullIn = components['schemas']['PullIn'];
export type PullOut = components['schemas']['PullOut'];
export type PushIn = components['schemas']['PushIn'];
export type PushOut = components['schemas']['PushOut'];
export type QuietHours = components['schemas']['QuietHours'];
export type ReaderOut = components['schemas']['ReaderOut'];
export type ReadersOut = components['schemas']['ReadersOut'];
export type Reason = components['schemas']['Reason'];
export type ReceiptChange = components['schemas']['ReceiptChange'];
export type ReceiptData = components['schemas']['ReceiptData'];
export type ReceiptMark = components['schemas']['ReceiptMark'];
export type ReceiptMarkMutation = components['schemas']['ReceiptMarkMutation'];
export type RecordCommentOut = components['schemas']['RecordCommentOut'];
export type RecordDocumentOut = components['schemas']['RecordDocumentOut'];
export type RecordMemberOut = components['schemas']['RecordMemberOut'];
export type RecordOut = components['schemas']['RecordOut'];
export type RecordPatientOut = components['schemas']['RecordPatientOut'];
export type RecordPersonOut = components['schemas']['RecordPersonOut'];
export type RecordPostOut = components['schemas']['RecordPostOut'];
export type RecordRangeOut = components['schemas']['RecordRangeOut'];
export type RecoveryKeyOut = components['schemas']['RecoveryKeyOut'];
export type Refusal = components['schemas']['Refusal'];
export type RejectIn = components['schemas']['RejectIn'];
export type ReportTitleChange = components['schemas']['ReportTitleChange'];
export type ReportTitleData = components['schemas']['ReportTitleData'];
export type ReportTitleIn = components['schemas']['ReportTitleIn'];
export type ReportTitleOut = components['schemas']['ReportTitleOut'];
export type ReportTitlesIn = components['schemas']['ReportTitlesIn'];
export type Requirement = components['schemas']['Requirement'];
export type ResetLetterOut = components['schemas']['ResetLetterOut'];
export type RevokedEvent = components['schemas']['RevokedEvent'];
export type Role = components['schemas']['Role'];
export type RoomCandidateOut = components['schemas']['RoomCandidateOut'];
export type RoomChange = components['schemas']['RoomChange'];
export type RoomChanges = components['schemas']['RoomChanges'];
export type RoomChoiceIn = components['schemas']['RoomChoiceIn'];
export type RoomCloseIn = components['schemas']['RoomCloseIn'];
export type RoomCreateIn = components['schemas']['RoomCreateIn'];
export type RoomData = components['schemas']['RoomData'];
export type RoomHistoryOut = components['schemas']['RoomHistoryOut'];
export type RoomOut = components['schemas']['RoomOut'];
export type RoomRef = components['schemas']['RoomRef'];
export type RoomReopenIn = components['schemas']['RoomReopenIn'];
export type RoomStatus = components['schemas']['RoomStatus'];
export type RoomSummaryOut = components['schemas']['RoomSummaryOut'];
export type ScheduledStopCancelIn = components['schemas']['ScheduledStopCancelIn'];
export type ScheduledStopOut = components['schemas']['ScheduledStopOut'];
export type SearchHitOut = components['schemas']['SearchHitOut'];
export type SearchOut = components['schemas']['SearchOut'];
export type SessionOut = components['schemas']['SessionOut'];
export type SessionStateOut = components['schemas']['SessionStateOut'];
export type Sex = components['schemas']['Sex'];
export type SignedBy = components['schemas']['SignedBy'];
export type StopState = components['schemas']['StopState'];
export type SubscriptionIn = components['schemas']['SubscriptionIn'];
export type SubscriptionKeysIn = components['schemas']['SubscriptionKeysIn'];
export type SubscriptionOut = components['schemas']['SubscriptionOut'];
export type SystemManagerIn = components['schemas']['SystemManagerIn'];
export type SystemManagerOut = components['schemas']['SystemManagerOut'];
export type TemplateIn = components['schemas']['TemplateIn'];
export type TemplateOut = components['schemas']['TemplateOut'];
export type TemplatesOut = components['schemas']['TemplatesOut'];
export type TermsAcceptIn = components['schemas']['TermsAcceptIn'];
export type TermsIn = components['schemas']['TermsIn'];
export type TermsOut = components['schemas']['TermsOut'];
export type ThresholdChange = components['schemas']['ThresholdChange'];
export type ThresholdData = components['schemas']['ThresholdData'];
export type ThresholdSet = components['schemas']['ThresholdSet'];
export type ThresholdSetMutation = components['schemas']['ThresholdSetMutation'];
export type TotpEnrollOut = components['schemas']['TotpEnrollOut'];
export type TotpIn = components['schemas']['TotpIn'];
export type TransferIn = components['schemas']['TransferIn'];
export type TransferOut = components['schemas']['TransferOut'];
export type TransferPledgeIn = components['schemas']['TransferPledgeIn'];
export type UploadIn = components['schemas']['UploadIn'];
export type UserCorrectionIn = components['schemas']['UserCorrectionIn'];
export type UserDetailOut = components['schemas']['UserDetailOut'];
export type UserHistoryOut = components['schemas']['UserHistoryOut'];
export type UserRef = components['schemas']['UserRef'];
export type UserStatus = components['schemas']['UserStatus'];
export type UserStopIn = components['schemas']['UserStopIn'];
export type ValidationDetail = components['schemas']['ValidationDetail'];
export type Vitals = components['schemas']['Vitals'];
export type WipeEvent = components['schemas']['WipeEvent'];
export type WithdrawIn = components['schemas']['WithdrawIn'];
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

import BackOffice
import EventStore
import Foundation
import Projections

// The facts of an engagement the read models keep no column for.

extension Reports {
    /// The engagement's channels in use, in the order adopted: each with its handle and the
    /// objectives it serves (`ChannelAdopted`); a retired channel is gone, a re-adopted one
    /// says what it serves now.
    static func adoptedChannels(of engagement: UUID, in events: [(recorded: RecordedEvent, event: any DomainEvent)]) -> [(
        channel: Channel, handle: String?, serves: [UUID], adoptedAt: Date
    )] {
        let stream = StreamName.entity(.engagement, engagement)
        var channels: [(channel: Channel, handle: String?, serves: [UUID], adoptedAt: Date)] = []
        for (recorded, event) in events where StreamName(parsing: recorded.stream) == stream {
            switch event {
            case let e as ChannelAdopted:
                // Several accounts of a kind are told apart by their handle (issue 16 item 10).
                let accounts = channels.map { ChannelAccount(channel: $0.channel, handle: $0.handle) }
                for index in ChannelAccount.matching(e.channel, e.handle, in: accounts).reversed()
                where accounts[index].handle == nil || e.handle != nil {
                    channels.remove(at: index)
                }
                channels.append((e.channel, e.handle, e.servesObjectives, recorded.metadata.occurredAt))
            case let e as ChannelRetired:
                let accounts = channels.map { ChannelAccount(channel: $0.channel, handle: $0.handle) }
                if let index = ChannelAccount.matching(e.channel, e.handle, in: accounts).first { channels.remove(at: index) }
            default: break
            }
        }
        return channels
    }

    /// Where the money for the work comes from, as the lead the engagement was won from was
    /// qualified (`LeadQualified`, the latest one); nil for work started without a qualified lead.
    static func budgetSource(of engagement: EngagementRow, in events: [(recorded: RecordedEvent, event: any DomainEvent)])
        -> BudgetSource?
    {
        guard let lead = engagement.leadID else { return nil }
        let stream = StreamName.entity(.lead, lead)
        return events.last { StreamName(parsing: $0.recorded.stream) == stream && $0.event is LeadQualified }
            .flatMap { ($0.event as? LeadQualified)?.budgetSource }
    }
}
